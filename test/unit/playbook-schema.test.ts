// The committed JSON Schemas must equal what zod generates now. `npm run schema` rewrites them.
import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { inventoryJsonSchema, playbookJsonSchema } from '../../src/playbook/index.js';

const files = {
  'playbooks/playbook.schema.json': playbookJsonSchema,
  'playbooks/inventory.schema.json': inventoryJsonSchema,
};

describe('JSON Schema export', () => {
  for (const [file, gen] of Object.entries(files)) {
    it(`${file} is current`, () => {
      const text = `${JSON.stringify(gen(), null, 2)}\n`;
      if (process.env.UPDATE_SCHEMA === '1') writeFileSync(file, text);
      expect(readFileSync(file, 'utf8')).toBe(text);
    });
  }

  it('forbids unknown keys and lists the modes', () => {
    const s = playbookJsonSchema() as {
      additionalProperties: boolean;
      properties: Record<string, { enum?: string[] }>;
    };
    expect(s.additionalProperties).toBe(false);
    expect(s.properties.mode?.enum).toEqual(['audit', 'disable-smtp-inspection', 'rollback']);
  });
});
