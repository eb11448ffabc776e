/**
 * The playground page: a CodeMirror editor for the Sprout language, a menu of experiments that run in a
 * browser, and per compare arm the live views of a run that trains in a Web Worker (worker.ts). Shared
 * links carry the experiment text in the URL hash (share.ts); dropped files become the data of csv, idx
 * and mnist experiments.
 */
import './polyfills.js';
import { EditorState } from '@codemirror/state';
import { EditorView, keymap, lineNumbers, highlightActiveLine } from '@codemirror/view';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { forceLinting } from '@codemirror/lint';
import * as E from 'fp-ts/lib/Either.js';
import { checkText, format } from '@sprout/dsl';
import type { Diagnostic } from '@sprout/spec';
import type { RunEvent } from '@sprout/pipeline/core';
import { sprout } from './language.js';
import { decodeShare, encodeShare } from './share.js';
import { inflate } from './browser-data.js';
import { drawArchitecture, drawBoundary, drawCurves, drawSensitivities, type CurvePoint } from './views.js';
import type { FromWorker, ToWorker, TrainingBackend } from './protocol.js';

const $ = <T extends HTMLElement>(id: string): T => document.getElementById(id) as T;

// The experiments of examples/ that a browser can run (spirals data), and the page's own short ones.
const PAGE_EXAMPLES = ['spirals-sensli', 'mnist-small'];
const sources = {
  ...import.meta.glob<string>('../examples/*.sprout', { query: '?raw', import: 'default', eager: true }),
  ...import.meta.glob<string>('../../../examples/*.sprout', { query: '?raw', import: 'default', eager: true }),
};
const examples = Object.entries(sources)
  .map(([path, text]) => ({ name: path.slice(path.lastIndexOf('/') + 1, -'.sprout'.length), text }))
  .filter(({ name, text }) => {
    const r = checkText(text);
    if (E.isLeft(r)) return false;
    // The page's own examples all run here (MNIST on the shipped subset); of examples/, those on spirals.
    if (PAGE_EXAMPLES.includes(name)) return true;
    return r.right.spec.data._tag === 'spirals' && r.right.spec.compare.every((a) => a.data === undefined);
  })
  .sort((a, b) => Number(!PAGE_EXAMPLES.includes(a.name)) - Number(!PAGE_EXAMPLES.includes(b.name)));

// Diagnostics that come from outside the text: a shared link that could not be opened.
let linkDiagnostics: Diagnostic[] = [];
const opened = decodeShare(location.hash);
if (opened._tag === 'bad') linkDiagnostics = [opened.diagnostic];
const initial = opened._tag === 'text' ? opened.text : (examples[0]?.text ?? '');

const view = new EditorView({
  parent: $('editor'),
  state: EditorState.create({
    doc: initial,
    extensions: [
      lineNumbers(),
      history(),
      highlightActiveLine(),
      keymap.of([
        { key: 'Mod-Shift-f', run: () => (formatNow(), true) },
        { key: 'Mod-Enter', run: () => (start(), true) },
        ...defaultKeymap,
        ...historyKeymap,
      ]),
      sprout(() => linkDiagnostics),
      EditorView.updateListener.of((u) => {
        if (u.docChanged) linkDiagnostics = [];
      }),
      EditorView.lineWrapping,
    ],
  }),
});

const status = (text: string): void => {
  $('status').textContent = text;
};
const setText = (text: string): void => {
  view.dispatch({ changes: { from: 0, to: view.state.doc.length, insert: text } });
};

const menu = $<HTMLSelectElement>('examples');
for (const e of examples) {
  const o = document.createElement('option');
  o.value = e.name;
  o.textContent = e.name;
  menu.appendChild(o);
}
if (opened._tag !== 'none') {
  const o = document.createElement('option');
  o.value = '';
  o.textContent = opened._tag === 'text' ? '(shared link)' : '(link not opened)';
  menu.prepend(o);
  menu.value = '';
}
menu.addEventListener('change', () => {
  const e = examples.find((x) => x.name === menu.value);
  if (e !== undefined) setText(e.text);
});

const formatNow = (): void => {
  const r = format(view.state.doc.toString());
  if (E.isRight(r)) {
    if (r.right !== view.state.doc.toString()) setText(r.right);
    status('formatted');
  } else status('not formatted: the text has errors (see the marks in the editor)');
};
$('format').addEventListener('click', formatNow);

$('share').addEventListener('click', () => {
  const hash = encodeShare(view.state.doc.toString());
  window.history.replaceState(null, '', hash);
  void navigator.clipboard?.writeText(location.href).catch(() => undefined);
  status('the link in the address bar opens this experiment');
});

// Files for csv, idx and mnist experiments, by name.
const userFiles = new Map<string, Uint8Array>();
const addFiles = async (files: FileList | readonly File[]): Promise<void> => {
  for (const f of Array.from(files)) {
    const bytes = await inflate(new Uint8Array(await f.arrayBuffer()));
    userFiles.set(f.name.replace(/\.gz$/, ''), bytes);
  }
  const list = $('data-files');
  list.replaceChildren(
    ...[...userFiles].map(([name, bytes]) => {
      const li = document.createElement('li');
      li.textContent = `${name} (${bytes.length.toLocaleString('en')} bytes)`;
      return li;
    }),
  );
  forceLinting(view);
};
// The MNIST subset the page ships (public/mnist, written by scripts/mnist-subset.mjs).
const MNIST_SUBSET = [
  'train-images-idx3-ubyte',
  'train-labels-idx1-ubyte',
  't10k-images-idx3-ubyte',
  't10k-labels-idx1-ubyte',
];
$('mnist').addEventListener('click', () => {
  void Promise.all(
    MNIST_SUBSET.map(async (name) => {
      const response = await fetch(new URL(`mnist/${name}.gz`, document.baseURI));
      if (!response.ok) throw new Error(`mnist/${name}.gz: HTTP ${response.status}`);
      return new File([await response.arrayBuffer()], `${name}.gz`);
    }),
  )
    .then(addFiles)
    .catch((e: unknown) => status(`the MNIST subset did not load: ${e instanceof Error ? e.message : String(e)}`));
});
$<HTMLInputElement>('files').addEventListener('change', (e) => {
  const input = e.target as HTMLInputElement;
  if (input.files !== null) void addFiles(input.files);
});
document.addEventListener('dragover', (e) => e.preventDefault());
document.addEventListener('drop', (e) => {
  e.preventDefault();
  if (e.dataTransfer?.files !== undefined) void addFiles(e.dataTransfer.files);
});

// One card per arm: its curves, architecture, sensitivities and decision boundary.
interface ArmView {
  readonly curves: SVGSVGElement;
  readonly architecture: SVGSVGElement;
  readonly sensitivities: SVGSVGElement;
  readonly boundary: HTMLCanvasElement;
  readonly summary: HTMLElement;
  points: CurvePoint[];
  insertions: number[];
  epochs: number;
}
const arms = new Map<string, ArmView>();
const armView = (name: string): ArmView => {
  const existing = arms.get(name);
  if (existing !== undefined) return existing;
  const card = document.createElement('article');
  card.className = 'arm';
  card.dataset['arm'] = name;
  const h = document.createElement('h2');
  h.textContent = name;
  const summary = document.createElement('p');
  summary.className = 'summary';
  const svg = (cls: string) => {
    const s = document.createElementNS('http://www.w3.org/2000/svg', 'svg');
    s.setAttribute('class', cls);
    return s;
  };
  const boundary = document.createElement('canvas');
  boundary.className = 'boundary';
  boundary.width = boundary.height = 192;
  const row = document.createElement('div');
  row.className = 'row';
  const a: ArmView = {
    curves: svg('curves'),
    architecture: svg('architecture'),
    sensitivities: svg('sensitivities'),
    boundary,
    summary,
    points: [],
    insertions: [],
    epochs: 1,
  };
  row.append(a.architecture, boundary);
  card.append(h, summary, a.curves, row, a.sensitivities);
  $('arms').appendChild(card);
  arms.set(name, a);
  return a;
};

const onEvent = (e: RunEvent): void => {
  switch (e._tag) {
    case 'started':
      // A continued run keeps what the stopped one drew.
      if (!continuing) {
        $('arms').replaceChildren();
        arms.clear();
      }
      for (const name of e.arms) armView(name);
      status(`training ${e.runs} run${e.runs === 1 ? '' : 's'} on ${e.backend}`);
      break;
    case 'run-start': {
      const a = armView(e.arm);
      const done = e.resumedAt?.epoch ?? 0;
      a.points = done > 0 ? a.points.filter((p) => p.epoch <= done) : [];
      a.insertions = done > 0 ? a.insertions.filter((epoch) => epoch <= done) : [];
      a.epochs = e.epochs;
      a.summary.textContent = `seed ${e.seed}: ${e.parameterCount} parameters, engine ${e.engine}`;
      break;
    }
    case 'epoch-end': {
      const a = armView(e.arm);
      a.points.push(e);
      if (e.epoch % 5 === 0 || e.epoch === a.epochs) {
        drawCurves(a.curves, a.points, a.insertions, a.epochs);
        a.curves.dataset['points'] = String(a.points.length);
        a.summary.textContent = `seed ${e.seed}, epoch ${e.epoch}/${a.epochs}: train loss ${e.trainLoss.toFixed(4)}, test error ${(100 * e.testError).toFixed(1)} %, ${e.parameterCount} parameters`;
        a.summary.dataset['epoch'] = String(e.epoch);
      }
      break;
    }
    case 'insertion': {
      const a = armView(e.arm);
      if (e.chosen !== null) a.insertions.push(e.epoch);
      a.curves.dataset['insertions'] = String(a.insertions.length);
      drawSensitivities(a.sensitivities, e.epoch, e.positions, e.chosen);
      drawCurves(a.curves, a.points, a.insertions, a.epochs);
      break;
    }
    case 'warning':
      status(e.message);
      break;
    default:
      break;
  }
};

// The worker and the buttons.
const worker = new Worker(new URL('./worker.ts', import.meta.url), { type: 'module' });
const send = (m: ToWorker): void => worker.postMessage(m);
const runButton = $<HTMLButtonElement>('run');
const stopButton = $<HTMLButtonElement>('stop');
const continueButton = $<HTMLButtonElement>('continue');
const backendMenu = document.createElement('select');
backendMenu.id = 'backend-choice';
backendMenu.setAttribute('aria-label', 'training backend');

const start = (): void => {
  const text = view.state.doc.toString();
  const checked = checkText(text, 'playground.sprout');
  if (E.isLeft(checked)) {
    status(
      `not run: ${checked.left.length} problem${checked.left.length === 1 ? '' : 's'} in the experiment (marked in the editor)`,
    );
    return;
  }
  $('downloads').replaceChildren();
  continuing = false;
  runButton.disabled = true;
  stopButton.disabled = false;
  continueButton.disabled = true;
  send({
    type: 'run',
    text,
    files: Object.fromEntries(userFiles),
    backend: (backendMenu.value || 'wasm') as TrainingBackend,
  });
};
runButton.addEventListener('click', start);
stopButton.addEventListener('click', () => send({ type: 'stop' }));
let continuing = false;
continueButton.addEventListener('click', () => {
  continuing = true;
  continueButton.disabled = true;
  stopButton.disabled = false;
  runButton.disabled = true;
  send({ type: 'continue' });
});

const DOWNLOADS = ['spec.json', 'metrics.csv', 'events.jsonl', 'model/model.json', 'model/weights.bin'];
const offerDownloads = (files: readonly (readonly [string, Uint8Array])[]): void => {
  const box = $('downloads');
  box.replaceChildren(document.createTextNode('Download: '));
  const byName = new Map(files);
  for (const name of DOWNLOADS) {
    const bytes = byName.get(name);
    if (bytes === undefined) continue;
    const a = document.createElement('a');
    a.href = URL.createObjectURL(new Blob([bytes as BlobPart]));
    a.download = name.replace('/', '-');
    a.textContent = name;
    a.dataset['file'] = name;
    box.append(a, ' ');
  }
};

worker.onmessage = (m: MessageEvent<FromWorker>): void => {
  const msg = m.data;
  switch (msg.type) {
    case 'backend': {
      $('backend').textContent = `training on ${msg.name} · this browser has ${msg.available.join(', ')}`;
      $('backend').title = msg.message;
      $('backend').dataset['backend'] = msg.name;
      if (backendMenu.options.length === 0) {
        for (const b of msg.available.filter((x) => x !== 'webgpu')) {
          const o = document.createElement('option');
          o.value = o.textContent = b;
          backendMenu.appendChild(o);
        }
        backendMenu.value = 'wasm';
        $('backend').after(backendMenu);
      }
      break;
    }
    case 'event':
      onEvent(msg.event);
      break;
    case 'architecture': {
      const a = armView(msg.arm);
      drawArchitecture(a.architecture, msg.input, msg.layers, msg.inserted);
      a.architecture.dataset['layers'] = String(msg.layers.length);
      // The decision boundary is drawn for 2-D inputs only.
      a.boundary.hidden = !(msg.input.length === 1 && msg.input[0] === 2);
      break;
    }
    case 'boundary':
      drawBoundary(armView(msg.arm).boundary, msg);
      armView(msg.arm).boundary.dataset['epoch'] = String(msg.epoch);
      break;
    case 'diagnostics':
      status(msg.messages.join('\n'));
      runButton.disabled = false;
      stopButton.disabled = true;
      break;
    case 'ended':
      status(msg.outcome === 'finished' ? msg.message : `${msg.outcome}: ${msg.message}`);
      document.body.dataset['outcome'] = msg.outcome;
      runButton.disabled = false;
      stopButton.disabled = true;
      continueButton.disabled = msg.outcome !== 'interrupted';
      send({ type: 'download' });
      break;
    case 'files':
      offerDownloads(msg.files);
      break;
  }
};
