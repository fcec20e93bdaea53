// Rewrites the README's config table from the schema so the two cannot drift.
import { readFileSync, writeFileSync } from 'node:fs';
import { configMarkdownTable } from '../src/shared/config/config-reference.js';

const START = '<!-- config-table:start -->';
const END = '<!-- config-table:end -->';
const readme = readFileSync('README.md', 'utf8');
const head = readme.slice(0, readme.indexOf(START) + START.length);
const tail = readme.slice(readme.indexOf(END));
writeFileSync('README.md', `${head}\n${configMarkdownTable()}\n${tail}`);
console.log('README.md config table updated');
