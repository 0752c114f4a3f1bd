import {afterAll, beforeAll, describe, expect, it} from "vitest";
import {mkdtempSync, mkdirSync, rmSync, writeFileSync} from "node:fs";
import {tmpdir} from "node:os";
import {join} from "node:path";
import type {Server} from "node:http";
import {serve} from "../../src/build/serve.js";

let dir: string;
let server: Server;
let url: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "lectern-serve-"));
  mkdirSync(join(dir, "lesson"));
  mkdirSync(join(dir, "vanishing-gradients"));
  mkdirSync(join(dir, "assets", "tfjs-wasm-7bbd8a4ebe"), {recursive: true});
  writeFileSync(join(dir, "vanishing-gradients", "index.html"), "<p>a lesson whose name ends like a hash</p>");
  writeFileSync(join(dir, "assets", "tfjs-wasm-7bbd8a4ebe", "tfjs-backend-wasm-simd.wasm"), new Uint8Array([0, 97, 115, 109]));
  writeFileSync(join(dir, "index.html"), "<p>home</p>");
  writeFileSync(join(dir, "lesson", "index.html"), "<p>lesson</p>");
  writeFileSync(join(dir, "404.html"), "<p>no page here</p>");
  writeFileSync(join(dir, "assets", "page-lesson-3DYPWQCT.js"), "export {};");
  writeFileSync(join(dir, "assets", "tfjs-backend-wasm.wasm"), new Uint8Array([0, 97, 115, 109]));
  ({server, url} = await serve({dir, port: 0}));
});
afterAll(() => {
  server?.close();
  rmSync(dir, {recursive: true, force: true});
});

describe("the static server behind npm start", () => {
  it("serves folders' index.html, redirects a folder without its slash, and answers 404 with the site's page", async () => {
    expect(await (await fetch(url)).text()).toBe("<p>home</p>");
    const redirect = await fetch(`${url}lesson`, {redirect: "manual"});
    expect([redirect.status, redirect.headers.get("location")]).toEqual([301, "/lesson/"]);
    expect(await (await fetch(`${url}lesson/`)).text()).toBe("<p>lesson</p>");
    const missing = await fetch(`${url}nowhere/`);
    expect([missing.status, await missing.text()]).toEqual([404, "<p>no page here</p>"]);
  });

  it("lets browsers keep content-hashed files for good and revalidate the rest; wasm has its type", async () => {
    const chunk = await fetch(`${url}assets/page-lesson-3DYPWQCT.js`);
    expect(chunk.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
    expect(chunk.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect((await fetch(url)).headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(`${url}vanishing-gradients/`)).headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(`${url}assets/tfjs-backend-wasm.wasm`)).headers.get("cache-control")).toBe("no-cache");
    expect((await fetch(`${url}assets/tfjs-backend-wasm.wasm`)).headers.get("content-type")).toBe("application/wasm");
    // A file in a content-named folder (tfjs's wasm binaries) is as fixed as a hashed file: a
    // worker that starts after the page loaded them takes them from the cache.
    const wasm = await fetch(`${url}assets/tfjs-wasm-7bbd8a4ebe/tfjs-backend-wasm-simd.wasm`);
    expect(wasm.headers.get("cache-control")).toBe("public, max-age=31536000, immutable");
  });

  it("never serves a file outside its folder", async () => {
    const escape = await fetch(`${url}..%2f..%2fetc%2fpasswd`);
    expect(escape.status).toBe(404);
  });
});
