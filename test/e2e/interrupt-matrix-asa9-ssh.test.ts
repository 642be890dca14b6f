/** The interruption matrix (issue 13 §7) for `apply on asa9-ssh`: every cause x step; see interrupt-matrix.ts. */
import { defineMatrix } from './interrupt-matrix.js';

await defineMatrix('asa9-ssh', { checkDoc: true });
