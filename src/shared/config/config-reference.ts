import { configLeaves, envName, leafType } from './load-config.js';
import { defaultConfig } from './schema.js';

export interface ConfigReferenceRow {
  readonly path: string;
  readonly env: string;
  readonly type: string;
  readonly defaultValue: unknown;
  readonly description: string;
}

/** Every option with its env name, type, default and doc, straight from the schema. */
export function configReference(): ConfigReferenceRow[] {
  const defaults = defaultConfig() as unknown as Record<string, Record<string, unknown>>;
  return configLeaves().map(({ path, schema }) => {
    const [section, key] = path as [string, string];
    return {
      path: path.join('.'),
      env: envName(path),
      type: leafType(schema),
      defaultValue: defaults[section]?.[key],
      description: schema.description ?? '',
    };
  });
}

/** The README's config table; `npm run docs:config` rewrites it so it cannot drift. */
export function configMarkdownTable(): string {
  const rows = configReference().map((r) => {
    const def = r.defaultValue === undefined ? '' : `\`${JSON.stringify(r.defaultValue)}\``;
    return `| \`${r.path}\` | \`${r.env}\` | ${r.type} | ${def} | ${r.description.replace(/\|/g, '\\|')} |`;
  });
  return ['| option | env | type | default | description |', '|---|---|---|---|---|', ...rows].join(
    '\n',
  );
}
