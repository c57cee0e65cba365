import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import ts from 'typescript';

/**
 * Fails on an import cycle between two files, or between two folders of a
 * `src/` (src/files -> src/api -> src/files, through any files). Type-only
 * imports count: they tie modules together as much as value imports do, and
 * `import-x/no-cycle` skips them. Root files of `src/` (app.ts, config.ts,
 * errors.ts) belong to no folder; file cycles through them are still caught.
 */

/** Relative imports (type-only and re-exports included) of a file, resolved to files; cached by mtime. */
const parsed = new Map();
function importsOf(file) {
  const mtime = statSync(file).mtimeMs;
  const cached = parsed.get(file);
  if (cached?.mtime === mtime) return cached.imports;
  const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
  const imports = importedFiles.map(({ fileName }) => resolveImport(file, fileName)).filter(Boolean);
  parsed.set(file, { mtime, imports });
  return imports;
}

/** `./x.js` is `./x.ts` under NodeNext; anything not relative is a package, outside the graph. */
function resolveImport(from, specifier) {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  for (const candidate of [base.replace(/\.js$/, '.ts'), base, `${base}.ts`, join(base, 'index.ts')]) {
    if (existsSync(candidate) && statSync(candidate).isFile()) return candidate;
  }
  return undefined;
}

/** `<...>/src/<folder>` for a file inside a folder of a src/, else undefined. */
function folderOf(file) {
  const match = /^(.*[/\\]src[/\\][^/\\]+)[/\\]./.exec(file);
  return match?.[1];
}

function filesUnder(folder) {
  return readdirSync(folder, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile() && /\.tsx?$/.test(entry.name))
    .map((entry) => join(entry.parentPath, entry.name));
}

/** Breadth-first: the shortest route of `next` steps from `start` to `goal`, or undefined. */
function route(start, goal, next) {
  const previous = new Map([[start, undefined]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift();
    if (node === goal) {
      const path = [];
      for (let at = goal; at !== undefined; at = previous.get(at)) path.unshift(at);
      return path;
    }
    for (const following of next(node)) {
      if (previous.has(following)) continue;
      previous.set(following, node);
      queue.push(following);
    }
  }
  return undefined;
}

export default {
  meta: {
    type: 'problem',
    docs: { description: 'Forbid import cycles between files and between folders of src/, type-only imports included' },
    messages: {
      file: 'Import cycle: {{route}}',
      folder: 'Import cycle between folders: {{route}}',
    },
    schema: [],
  },
  create(context) {
    const file = context.physicalFilename;
    const cwd = context.cwd;
    const show = (path) => path.map((step) => relative(cwd, step)).join(' -> ');
    // One folder graph per linted file: folders change as files are edited.
    const folderImports = new Map();
    const importsOfFolder = (folder) => {
      if (!folderImports.has(folder)) {
        const targets = new Set(filesUnder(folder).flatMap((inner) => importsOf(inner).map(folderOf)));
        targets.delete(folder);
        targets.delete(undefined);
        folderImports.set(folder, [...targets]);
      }
      return folderImports.get(folder);
    };

    function check(node, specifier) {
      const target = resolveImport(file, specifier);
      if (!target) return;
      const back = route(target, file, importsOf);
      if (back) {
        context.report({ node, messageId: 'file', data: { route: show([file, ...back]) } });
        return;
      }
      const [from, to] = [folderOf(file), folderOf(target)];
      if (!from || !to || from === to) return;
      const folders = route(to, from, importsOfFolder);
      if (folders) context.report({ node, messageId: 'folder', data: { route: show([from, ...folders]) } });
    }

    const withSource = (node) => {
      if (typeof node.source?.value === 'string') check(node, node.source.value);
    };
    return {
      ImportDeclaration: withSource,
      ExportNamedDeclaration: withSource,
      ExportAllDeclaration: withSource,
      ImportExpression: withSource,
    };
  },
};
