// The network diagram's layout (pure, no DOM): edge width follows |weight|, sign sets the colour
// class, masks remove edges, big layers are elided, and the text alternative says what is drawn.
import {describe, expect, test} from "vitest";
import {diagramLayout, shownIndices} from "../../cells/widgets/network-diagram.js";

describe("diagramLayout", () => {
  test("edge width is proportional to |weight| and the sign is kept", () => {
    const layout = diagramLayout({sizes: [2, 1], weights: [[[1], [-2]]], weightScale: 4, maxStroke: 8});
    const [e1, e2] = layout.edges;
    expect(e1!.stroke).toBeCloseTo(2);
    expect(e2!.stroke).toBeCloseTo(4);
    expect([e1!.sign, e2!.sign]).toEqual(["positive", "negative"]);
  });

  test("a zero weight is drawn thin and marked zero; without a scale the largest weight is widest", () => {
    const layout = diagramLayout({sizes: [2, 1], weights: [[[0], [3]]], maxStroke: 6});
    expect(layout.edges[0]!.sign).toBe("zero");
    expect(layout.edges[1]!.stroke).toBeCloseTo(6);
  });

  test("masked connections are drawn as missing (or left out), and the summary says sparsely connected", () => {
    const masks = [[[1, 0], [0, 1]]];
    const shown = diagramLayout({sizes: [2, 2, 1], masks});
    expect(shown.edges.filter((e) => !e.present)).toHaveLength(2);
    expect(shown.summary).toContain("4 of 6 possible connections (sparsely connected)");
    expect(diagramLayout({sizes: [2, 2, 1], masks, showMissing: false}).edges).toHaveLength(4);
    expect(diagramLayout({sizes: [2, 2, 1]}).summary).toContain("6 of 6 possible connections (fully connected), 3 biases");
  });

  test("a 784-wide layer is elided to its first nodes, a ⋮ and the last one", () => {
    expect(shownIndices(784, 8)).toEqual([0, 1, 2, 3, 4, 5, 783]);
    const layout = diagramLayout({sizes: [784, 128, 10]});
    expect(layout.nodes.filter((n) => n.layer === 0).map((n) => n.label).at(-1)).toBe("x₇₈₄");
    expect(layout.ellipses.map((e) => [e.layer, e.hidden])).toEqual([[0, 778], [1, 122], [2, 4]]);
    expect(layout.summary).toContain("784 inputs, 1 hidden layer of 128 neurons, 10 outputs");
    expect(layout.rows).toEqual([]); // too many connections to list
  });

  test("the text alternative lists every connection of a small network", () => {
    const layout = diagramLayout({sizes: [2, 1], weights: [[[0.5], [-1]]]});
    expect(layout.rows).toEqual([{from: "x₁", to: "ŷ", weight: 0.5, present: true}, {from: "x₂", to: "ŷ", weight: -1, present: true}]);
  });

  test("rejects weights of the wrong shape", () => {
    expect(() => diagramLayout({sizes: [2, 3], weights: [[[1, 2, 3]]]})).toThrow("Weights of layer 1 should be 2×3");
  });
});
