// CodeMirror 6 set up as a cell editor: JavaScript, the site's own syntax colours (the same classes
// and theme variables as the highlighted code it replaces), Shift/Ctrl/Cmd+Enter runs, Escape leaves.
import {EditorState} from "@codemirror/state";
import {EditorView, keymap, lineNumbers, highlightActiveLine, drawSelection} from "@codemirror/view";
import {defaultKeymap, history, historyKeymap} from "@codemirror/commands";
import {HighlightStyle, StreamLanguage, syntaxHighlighting, bracketMatching, indentOnInput} from "@codemirror/language";
// The stream-based JavaScript mode, not the Lezer grammar: a third of the bytes, enough for a cell.
import {javascript as javascriptMode} from "@codemirror/legacy-modes/mode/javascript";
import {tags} from "@lezer/highlight";

const siteColours = HighlightStyle.define([
  {tag: [tags.keyword, tags.bool, tags.null, tags.atom, tags.self], class: "hljs-keyword"},
  {tag: [tags.string, tags.regexp, tags.special(tags.string)], class: "hljs-string"},
  {tag: tags.number, class: "hljs-number"},
  {tag: [tags.comment, tags.lineComment, tags.blockComment], class: "hljs-comment"},
  {tag: [tags.function(tags.variableName), tags.function(tags.propertyName), tags.definition(tags.variableName), tags.propertyName, tags.typeName], class: "hljs-title"}
]);

const theme = EditorView.theme({
  "&": {backgroundColor: "var(--bg-code)", color: "var(--fg)", borderRadius: "8px", border: "1px solid var(--border)", fontSize: "0.88em"},
  "&.cm-focused": {outline: "3px solid var(--focus)", outlineOffset: "2px"},
  ".cm-content": {fontFamily: "var(--monospace)", caretColor: "var(--fg)", padding: "0.6rem 0"},
  ".cm-scroller": {fontFamily: "var(--monospace)", lineHeight: "1.45"},
  ".cm-gutters": {backgroundColor: "transparent", color: "var(--fg-muted)", border: "none"},
  ".cm-activeLine": {backgroundColor: "color-mix(in srgb, var(--accent-soft) 45%, transparent)"},
  ".cm-cursor": {borderLeftColor: "var(--fg)"},
  "&.cm-focused .cm-selectionBackground, .cm-selectionBackground, ::selection": {backgroundColor: "color-mix(in srgb, var(--accent) 30%, transparent) !important"}
});

export interface CodeEditor {
  view: EditorView;
  code(): string;
  setCode(code: string): void;
  focus(): void;
}

export function createCodeEditor(parent: HTMLElement, doc: string, options: {label: string; onRun(): void; onEscape(): void; onChange(): void}): CodeEditor {
  const run = () => (options.onRun(), true);
  const view = new EditorView({
    parent,
    state: EditorState.create({
      doc,
      extensions: [
        lineNumbers(),
        history(),
        drawSelection(),
        indentOnInput(),
        bracketMatching(),
        highlightActiveLine(),
        StreamLanguage.define(javascriptMode),
        syntaxHighlighting(siteColours),
        theme,
        keymap.of([
          {key: "Shift-Enter", run},
          {key: "Mod-Enter", run},
          {key: "Escape", run: () => (options.onEscape(), true)},
          ...historyKeymap,
          ...defaultKeymap
        ]),
        EditorView.contentAttributes.of({"aria-label": options.label}),
        EditorView.updateListener.of((update) => update.docChanged && options.onChange())
      ]
    })
  });
  return {
    view,
    code: () => view.state.doc.toString(),
    setCode: (code) => view.dispatch({changes: {from: 0, to: view.state.doc.length, insert: code}}),
    focus: () => view.focus()
  };
}
