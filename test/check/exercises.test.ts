import {afterAll, describe, expect, it} from "vitest";
import {copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import {checkCourse} from "../../src/commands/check.js";
import {formatDiagnostic} from "../../src/notebook/diagnostic.js";

const ROOT = join(import.meta.dirname, "../..");
const temps: string[] = [];
afterAll(() => temps.forEach((dir) => rmSync(dir, {recursive: true, force: true})));

function course(lesson: string): string {
  const dir = mkdtempSync(join(tmpdir(), "lectern-exercise-check-"));
  temps.push(dir);
  mkdirSync(join(dir, "notebooks"));
  copyFileSync(join(ROOT, "package.json"), join(dir, "package.json"));
  symlinkSync(join(ROOT, "node_modules"), join(dir, "node_modules"), "dir");
  writeFileSync(join(dir, "notebooks/index.md"), "---\ntitle: C\n---\n\nHome.\n");
  writeFileSync(join(dir, "notebooks/lesson.md"), `---\ntitle: L\norder: 1\nsummary: S\nobjectives: [o]\nreferences: [r]\n---\n\n${lesson}`);
  return dir;
}

const fence = (info: string, code: string) => `\`\`\`${info}\n${code}\n\`\`\`\n\n`;
const problems = async (lesson: string) => (await checkCourse({root: course(lesson)})).diagnostics.map(formatDiagnostic);

describe("npm run check validates exercises", () => {
  it("a solution that passes its check, with a cell it depends on, is fine", async () => {
    expect(await problems(
      fence("js id=size", "const size = 3;") +
      fence("js id=sq exercise", "const squares = [];") +
      fence("js solution=sq", "const squares = Array.from({length: size}, (_, i) => i * i);") +
      fence("js check=sq", "({squares}) => squares.join() === \"0,1,4\" || `got ${squares}`")
    )).toEqual([]);
  });

  it("a solution that fails its own check is an error at the solution, with the check's words", async () => {
    expect(await problems(
      fence("js id=sq exercise", "const squares = [];") +
      fence("js solution=sq", "const squares = [0, 1, 5];") +
      fence("js check=sq", "({squares}) => squares.join() === \"0,1,4\" ? true : `your squares are ${squares}`")
    )).toEqual(["notebooks/lesson.md:14:1 error: the solution of `sq` fails its own check: your squares are 0,1,5"]);
  });

  it("a check that throws on the solution is an error at the check", async () => {
    expect(await problems(
      fence("js id=sq exercise", "const squares = [];") +
      fence("js solution=sq", "const squares = [0, 1, 4];") +
      fence("js check=sq", "({squares}) => squares.nope.length")
    )).toEqual([expect.stringMatching(/^notebooks\/lesson\.md:18:1 error: the check of `sq` throws on its own solution: /)]);
  });

  it("a check that names a value the cell does not define is an error at that name", async () => {
    expect(await problems(
      fence("js id=sq exercise", "const squares = [];") +
      fence("js check=sq", "({squares, cubes}) => true")
    )).toEqual(["notebooks/lesson.md:14:12 error: the check uses `cubes`, which the exercise cell `sq` does not define (it defines `squares`)"]);
  });

  it("an exercise part for no exercise, an exercise without id, and a check that is not a function", async () => {
    expect(await problems(
      fence("js exercise", "const x = 1;") +
      fence("md hint=nothing", "A hint.") +
      fence("js id=y exercise", "const y = 1;") +
      fence("js check=y", "y === 1")
    )).toEqual([
      "notebooks/lesson.md:9:1 error: an exercise needs a name for its hints, solution and check: add `id=<name>` to its fence",
      "notebooks/lesson.md:13:1 error: `hint=nothing` names no exercise (exercises in this notebook: `y`); mark the cell with `exercise id=nothing`",
      expect.stringMatching(/^notebooks\/lesson\.md:22:1 error: a check is one function of the exercise cell's values/)
    ]);
  });
});
