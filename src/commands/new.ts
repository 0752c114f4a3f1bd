import {existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync} from "node:fs";
import {join, relative, resolve} from "node:path";
import {splitFrontMatter} from "../notebook/frontmatter.js";

const HELP = `Usage: npm run new -- <slug> "<Title>" [--notebooks DIR]

Creates notebooks/<slug>.md: front matter (title, the next free order, summary, objectives,
references) and one live cell, ready for \`npm run dev\`. Never overwrites a file.`;

const SLUG = /^[a-z0-9][a-z0-9-]*$/;
const TAKEN: Record<string, string> = {
  index: "the course home (notebooks/index.md)",
  assets: "the site's assets/ folder",
  embed: "the site's embed/ folder"
};

/** Why `slug` cannot name a lesson, or undefined when it can. */
export function slugProblem(slug: string): string | undefined {
  if (!SLUG.test(slug)) {
    const suggestion = slug.toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
    return `\`${slug}\` cannot be a page address: use lower-case letters, digits and dashes${suggestion ? ` (e.g. \`${suggestion}\`)` : ""}`;
  }
  if (TAKEN[slug]) return `\`${slug}\` is taken by ${TAKEN[slug]}: choose another slug`;
  return undefined;
}

/** The next lesson number: one more than the largest `order` in the course. */
export function nextOrder(dir: string): number {
  let max = 0;
  for (const name of existsSync(dir) ? readdirSync(dir) : []) {
    if (!name.endsWith(".md") || name === "index.md") continue;
    const order = splitFrontMatter(readFileSync(join(dir, name), "utf8").replace(/\r\n?/g, "\n")).data.order;
    if (typeof order === "number" && Number.isFinite(order)) max = Math.max(max, order);
  }
  return Math.floor(max) + 1;
}

/** The new lesson: valid front matter, a paragraph, one live cell and a live value that uses it. */
export function lessonTemplate(title: string, order: number): string {
  return `---
title: ${JSON.stringify(title)}
order: ${order}
summary: One sentence that says what this lesson shows.
objectives:
  - say what a student can do after this lesson
references:
  - "Author, *Title* (year), the section this lesson follows"
---

Introduce the idea in a paragraph or two. Math is TeX: $y = f(wx + b)$.

\`\`\`js id=n
const n = view(Inputs.range([1, 10], {value: 3, step: 1, label: "n"}));
\`\`\`

With $n$ set to \${n}, its square is \${n * n}. Move the slider: this sentence follows.
`;
}

export async function run(argv: string[]): Promise<number> {
  if (argv.includes("--help")) {
    console.log(HELP);
    return 0;
  }
  const at = argv.indexOf("--notebooks");
  const dir = resolve(process.cwd(), at >= 0 ? argv[at + 1] ?? "notebooks" : "notebooks");
  const [slug, ...words] = argv.filter((a, i) => !a.startsWith("--") && !(at >= 0 && i === at + 1));
  if (!slug) {
    console.error(`${HELP}\n\nNo slug given: e.g. \`npm run new -- perceptron "The perceptron"\`.`);
    return 2;
  }
  const problem = slugProblem(slug);
  if (problem) {
    console.error(`Cannot create the lesson: ${problem}.`);
    return 1;
  }
  const title = words.join(" ").trim() || slug.replace(/-+/g, " ").replace(/^./, (c) => c.toUpperCase());
  const path = join(dir, `${slug}.md`);
  const shown = relative(process.cwd(), path).split("\\").join("/");
  const order = nextOrder(dir);
  mkdirSync(dir, {recursive: true});
  try {
    writeFileSync(path, lessonTemplate(title, order), {flag: "wx"}); // wx: fail rather than overwrite
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    console.error(`Cannot create ${shown}: it already exists. Edit it, or choose another slug.`);
    return 1;
  }
  console.log(`Created ${shown} (lesson order ${order}). Preview it with \`npm run dev\` and open /${slug}/; check it with \`npm run check\`.`);
  return 0;
}
