/** The interruption matrix (issue 13 §7) for `apply on pix6-telnet`: every cause x step; see interrupt-matrix.ts. */
import { defineMatrix } from './interrupt-matrix.js';

await defineMatrix('pix6-telnet');
