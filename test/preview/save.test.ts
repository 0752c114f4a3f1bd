import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {copyFileSync, cpSync, mkdtempSync, readFileSync, rmSync, symlinkSync} from "node:fs";
import {tmpdir} from "node:os";
import {join, resolve} from "node:path";
import {startPreview, type PreviewServer} from "../../src/preview/server.js";

const ROOT = resolve(import.meta.dirname, "../..");
let dir: string;
let preview: PreviewServer;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lectern-save-"));
  cpSync(join(ROOT, "test/fixtures/preview-course"), dir, {recursive: true});
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  preview = await startPreview({root: dir, port: 0, debounce: 10});
}, 120_000);
afterAll(async () => {
  await preview?.close();
  rmSync(dir, {recursive: true, force: true});
});

const save = (body: unknown) => fetch(`${preview.url}__lectern/save`, {method: "POST", headers: {"content-type": "application/json"}, body: JSON.stringify(body)});

describe("npm run dev: Save to notebook", () => {
  it("writes the edit at that cell's lines; every other byte of the file is unchanged", async () => {
    const file = join(dir, "notebooks/lab.md");
    const before = readFileSync(file, "utf8");
    const base = /```js id=label\n([\s\S]*?)\n```/.exec(before)![1];
    const response = await save({file: "notebooks/lab.md", id: "label", code: "const label = \"saved from the page\";\nconst extra = 1;", base});
    expect(response.status).toBe(200);
    expect(await response.text()).toContain("Saved cell `label` into notebooks/lab.md");
    expect(readFileSync(file, "utf8")).toBe(before.replace(`\`\`\`js id=label\n${base}\n\`\`\``, "```js id=label\nconst label = \"saved from the page\";\nconst extra = 1;\n```"));
  });

  it("refuses a stale edit and any file that is not one of the course's notebooks", async () => {
    expect((await save({file: "notebooks/lab.md", id: "label", code: "1", base: "not what the file says"})).status).toBe(409);
    expect((await save({file: "package.json", id: "label", code: "1", base: "1"})).status).toBe(403);
    expect((await save({file: "../outside.md", id: "label", code: "1", base: "1"})).status).toBe(403);
    expect((await save({file: "README.md", id: "label", code: "1", base: "1"})).status).toBe(403);
  });
});
