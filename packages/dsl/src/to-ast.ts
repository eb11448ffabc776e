/**
 * CST → AST: turns chevrotain's concrete syntax tree into the typed, ranged AST of Ast.ts, resolving string
 * escapes and number literals on the way. It runs only on a tree without syntax errors, so a missing child
 * is a broken invariant (a bug in the grammar or here), not a user error. Its own diagnostics are about
 * literals: an unknown string escape, or a number too large to represent.
 */
import type { CstElement, CstNode, IToken } from 'chevrotain';
import type { Diagnostic, SourceRange } from '@sprout/spec';
import type * as A from './Ast.js';
import type * as C from './Cst.js';
import { LineIndex, cover, tokenRange } from './internal/positions.js';

const isToken = (e: CstElement): e is IToken => 'image' in e;

/** The child keys of a generated CST node type (so a misspelt or removed child is a type error). */
type ChildKey<N extends CstNode> = Extract<keyof N['children'], string>;
/** The node type of child `K` of `N`. */
type ChildNode<N extends CstNode, K extends ChildKey<N>> = Extract<
  NonNullable<N['children'][K]> extends readonly (infer E)[] ? E : never,
  CstNode
>;
/** The node an alternation rule wraps. */
const only = <T>(wrapper: CstNode, rule: string): T => {
  const child = Object.values(wrapper.children).flat()[0];
  if (child === undefined || isToken(child)) throw new Error(`to-ast: empty ${rule}`);
  return child as T;
};

class Builder {
  readonly diagnostics: Diagnostic[] = [];
  constructor(readonly lines: LineIndex) {}

  range(node: CstNode): SourceRange {
    const l = node.location;
    if (l !== undefined && Number.isFinite(l.startOffset) && Number.isFinite(l.endOffset)) {
      return this.lines.range(l.startOffset, (l.endOffset as number) + 1);
    }
    // A node the parser recovered: cover the tokens it has.
    const tokens = this.tokensOf(node);
    const first = tokens[0];
    const last = tokens[tokens.length - 1];
    return first !== undefined && last !== undefined
      ? cover(tokenRange(this.lines, first), tokenRange(this.lines, last))
      : this.lines.range(0, 0);
  }

  tokensOf(node: CstNode): IToken[] {
    const out: IToken[] = [];
    for (const children of Object.values(node.children)) {
      for (const c of children ?? []) {
        if (isToken(c)) {
          if (Number.isFinite(c.startOffset)) out.push(c);
        } else for (const t of this.tokensOf(c)) out.push(t);
      }
    }
    return out.sort((a, b) => a.startOffset - b.startOffset);
  }

  /** The children of `node` in source order. */
  ordered(node: CstNode): CstElement[] {
    const all: CstElement[] = [];
    for (const children of Object.values(node.children)) for (const c of children ?? []) all.push(c);
    const offset = (e: CstElement): number => (isToken(e) ? e.startOffset : (e.location?.startOffset ?? Infinity));
    return all.sort((a, b) => offset(a) - offset(b));
  }

  tokens<N extends CstNode>(node: N, name: ChildKey<N>): IToken[] {
    return ((node.children[name] ?? []) as CstElement[]).filter(isToken);
  }
  token<N extends CstNode>(node: N, name: ChildKey<N>): IToken | undefined {
    return this.tokens(node, name)[0];
  }
  need<N extends CstNode>(node: N, name: ChildKey<N>): IToken {
    const t = this.token(node, name);
    if (t === undefined)
      throw new Error(`to-ast: rule '${node.name}' has no '${name}' token; the grammar and to-ast disagree`);
    return t;
  }
  nodes<N extends CstNode, K extends ChildKey<N>>(node: N, name: K): ChildNode<N, K>[] {
    return ((node.children[name] ?? []) as CstElement[]).filter((e): e is ChildNode<N, K> => !isToken(e));
  }
  node<N extends CstNode, K extends ChildKey<N>>(node: N, name: K): ChildNode<N, K> | undefined {
    return this.nodes(node, name)[0];
  }
  needNode<N extends CstNode, K extends ChildKey<N>>(node: N, name: K): ChildNode<N, K> {
    const n = this.node(node, name);
    if (n === undefined)
      throw new Error(`to-ast: rule '${node.name}' has no '${name}' child; the grammar and to-ast disagree`);
    return n;
  }
  /** The first child token of `node` that is a keyword or a name (keywords live under their own keys). */
  firstWord(node: CstNode): IToken {
    const t = this.ordered(node).find(
      (e): e is IToken => isToken(e) && e.tokenType.CATEGORIES?.some((c) => c.name === 'Name') === true,
    );
    if (t === undefined) throw new Error(`to-ast: rule '${node.name}' has no word; the grammar and to-ast disagree`);
    return t;
  }
  /** Word tokens of `node` in source order (keywords and identifiers). */
  words(node: CstNode): IToken[] {
    return this.ordered(node).filter(
      (e): e is IToken => isToken(e) && e.tokenType.CATEGORIES?.some((c) => c.name === 'Name') === true,
    );
  }

  word(t: IToken): A.Word {
    return { _tag: 'Word', text: t.image, range: tokenRange(this.lines, t) };
  }
  num(t: IToken): A.Num {
    const range = tokenRange(this.lines, t);
    if (t.tokenType.name === 'MalformedNumber') {
      this.diagnostics.push({
        code: 'invalid-number',
        severity: 'error',
        message: `'${t.image.length > 24 ? `${t.image.slice(0, 23)}…` : t.image}' is not a number: Sprout numbers are decimal, like 16, 0.5 or 1e-3`,
        range,
      });
      return { _tag: 'Num', value: NaN, text: t.image, range };
    }
    const value = Number(t.image);
    if (!Number.isFinite(value)) {
      this.diagnostics.push({
        code: 'number-out-of-range',
        severity: 'error',
        message: `the number ${t.image.length > 24 ? `${t.image.slice(0, 23)}…` : t.image} is too large to represent`,
        range,
      });
    }
    return { _tag: 'Num', value, text: t.image, range };
  }
  str(t: IToken): A.Str {
    return { _tag: 'Str', value: this.unescape(t), range: tokenRange(this.lines, t) };
  }
  unescape(t: IToken): string {
    const body = t.image.slice(1, -1);
    return body.replace(/\\(u\{[0-9a-fA-F]{1,6}\}|.)/g, (whole, esc: string, at: number) => {
      switch (esc) {
        case 'n':
          return '\n';
        case 't':
          return '\t';
        case 'r':
          return '\r';
        case '"':
          return '"';
        case '\\':
          return '\\';
      }
      if (esc.startsWith('u{')) {
        const cp = parseInt(esc.slice(2, -1), 16);
        if (cp <= 0x10ffff) return String.fromCodePoint(cp);
      }
      const start = t.startOffset + 1 + at;
      this.diagnostics.push({
        code: 'invalid-escape',
        severity: 'error',
        message: `unknown escape '${whole}' in a string; use \\" \\\\ \\n \\t \\r or \\u{…}`,
        range: this.lines.range(start, start + whole.length),
      });
      return whole;
    });
  }
  value(node: C.ValueCstNode): A.Value {
    const n = this.token(node, 'NumberLiteral');
    if (n !== undefined) return this.num(n);
    const s = this.token(node, 'StringLiteral');
    if (s !== undefined) return this.str(s);
    return this.word(this.firstWord(node));
  }

  option(node: C.NamedValueCstNode): A.Setting {
    return {
      _tag: 'Setting',
      key: this.word(this.need(node, 'Identifier')),
      value: this.value(this.needNode(node, 'value')),
      range: this.range(node),
    };
  }
  setting(node: C.SettingCstNode): A.Setting {
    return {
      _tag: 'Setting',
      key: this.word(this.firstWord(node)),
      value: this.value(this.needNode(node, 'value')),
      range: this.range(node),
    };
  }
  settings(node: C.SettingsCstNode): A.Settings {
    return {
      _tag: 'Settings',
      entries: this.nodes(node, 'setting').map((s) => this.setting(s)),
      range: this.range(node),
    };
  }
  optSettings(node: C.DataSectionCstNode | C.StepClauseCstNode | C.GramClauseCstNode): A.Settings | undefined {
    const s = this.node(node as C.DataSectionCstNode, 'settings');
    return s === undefined ? undefined : this.settings(s);
  }

  experiment(node: C.ExperimentCstNode): A.ExperimentNode {
    const name = this.token(node, 'StringLiteral');
    return {
      _tag: 'Experiment',
      keyword: this.word(this.need(node, 'Kw_experiment')),
      ...(name === undefined ? {} : { name: this.str(name) }),
      items: this.nodes(node, 'experimentItem').map((i) => this.experimentItem(i)),
      range: this.range(node),
    };
  }

  experimentItem(item: C.ExperimentItemCstNode): A.ExperimentItem {
    const node = only<ChildNode<C.ExperimentItemCstNode, ChildKey<C.ExperimentItemCstNode>>>(item, 'experimentItem');
    const range = this.range(node);
    const keyword = this.word(this.firstWord(node));
    switch (node.name) {
      case 'seedStatement':
        return { _tag: 'SeedStatement', keyword, value: this.num(this.need(node, 'NumberLiteral')), range };
      case 'repeatStatement':
        return { _tag: 'RepeatStatement', keyword, value: this.num(this.need(node, 'NumberLiteral')), range };
      case 'dataSection': {
        const settings = this.optSettings(node);
        return {
          _tag: 'DataSection',
          keyword,
          kind: this.word(this.words(node)[1]!),
          paths: this.tokens(node, 'StringLiteral').map((s) => this.str(s)),
          ...(settings === undefined ? {} : { settings }),
          range,
        };
      }
      case 'networkSection':
        return { _tag: 'NetworkSection', keyword, layers: this.layers(node), range };
      case 'lossStatement':
        return { _tag: 'LossStatement', keyword, name: this.word(this.words(node)[1]!), range };
      case 'optimizerSection': {
        const beta = this.token(node, 'NumberLiteral');
        return {
          _tag: 'OptimizerSection',
          keyword,
          kind: this.word(this.words(node)[1]!),
          ...(beta === undefined ? {} : { beta: this.num(beta) }),
          items: this.nodes(node, 'optimizerItem').map((i) => this.optimizerItem(i)),
          range,
        };
      }
      case 'trainSection':
        return { _tag: 'TrainSection', keyword, settings: this.settings(this.needNode(node, 'settings')), range };
      case 'growSection': {
        const braced = this.token(node, 'LCurly') !== undefined;
        return {
          _tag: 'GrowSection',
          keyword,
          kind: this.word(this.words(node)[1]!),
          ...(braced ? { items: this.nodes(node, 'growItem').map((i) => this.growItem(i)) } : {}),
          range,
        };
      }
      case 'compareSection':
        return {
          _tag: 'CompareSection',
          keyword,
          runs: this.nodes(node, 'runClause').map((r) => this.run(r)),
          bases: this.nodes(node, 'baseClause').map((b) => this.str(this.need(b, 'StringLiteral'))),
          range,
        };
      case 'sweepSection':
        return {
          _tag: 'SweepSection',
          keyword,
          blocks: this.nodes(node, 'sweepBlock').map((b) => ({
            _tag: 'SweepBlock',
            kind: this.word(this.firstWord(b)),
            axes: this.nodes(b, 'sweepAxis').map((a) => {
              const path = this.token(a, 'SettingPath') ?? this.firstWord(a);
              return {
                _tag: 'SweepAxis',
                path: this.word(path),
                values: this.nodes(a, 'value').map((v) => this.value(v)),
                range: this.range(a),
              };
            }),
            range: this.range(b),
          })),
          range,
        };
      case 'reportSection':
        return {
          _tag: 'ReportSection',
          keyword,
          items: this.nodes(node, 'reportItem').map((r) => {
            const [kind, name] = this.words(r);
            return { _tag: 'ReportItem', kind: this.word(kind!), name: this.word(name!), range: this.range(r) };
          }),
          range,
        };
      case 'unknownStatement':
        return { _tag: 'UnknownStatement', keyword, range };
      case 'misplacedInExperiment':
        return { _tag: 'MisplacedStatement', keyword, range };
      default:
        throw new Error(`to-ast: unexpected rule '${(node as CstNode).name}' in experimentItem`);
    }
  }

  run(node: C.RunClauseCstNode): A.RunClause {
    return {
      _tag: 'RunClause',
      name: this.str(this.need(node, 'StringLiteral')),
      items: this.nodes(node, 'experimentItem').map((i) => this.experimentItem(i)),
      range: this.range(node),
    };
  }

  layers(node: C.NetworkSectionCstNode | C.ResidualLayerCstNode): A.LayerNode[] {
    return this.nodes(node as C.NetworkSectionCstNode, 'layer').map((l) => this.layer(l));
  }

  layer(wrapper: C.LayerCstNode): A.LayerNode {
    const node = only<ChildNode<C.LayerCstNode, ChildKey<C.LayerCstNode>>>(wrapper, 'layer');
    const range = this.range(node);
    const ident = this.token(node as C.DenseLayerCstNode, 'Identifier');
    const activation = ident === undefined ? {} : { activation: this.word(ident) };
    switch (node.name) {
      case 'inputLayer':
        return { _tag: 'InputLayer', dims: this.tokens(node, 'NumberLiteral').map((t) => this.num(t)), range };
      case 'denseLayer': {
        const nobias = this.token(node, 'Kw_nobias');
        return {
          _tag: 'DenseLayer',
          units: this.num(this.need(node, 'NumberLiteral')),
          ...activation,
          ...(nobias === undefined ? {} : { nobias: this.word(nobias) }),
          range,
        };
      }
      case 'convLayer':
        return {
          _tag: 'ConvLayer',
          filters: this.num(this.need(node, 'NumberLiteral')),
          options: this.nodes(node, 'convOption').map((o) => {
            const [key, ...rest] = this.ordered(o) as IToken[];
            const v = rest[0]!;
            const value: A.Value = v.tokenType.name === 'NumberLiteral' ? this.num(v) : this.word(v);
            return { _tag: 'ConvOption', key: this.word(key!), value, range: this.range(o) };
          }),
          ...activation,
          range,
        };
      case 'poolLayer': {
        const [size, stride] = this.tokens(node, 'NumberLiteral');
        const kind = this.words(node)[1];
        const kindWord = kind !== undefined && kind.tokenType.name !== 'Kw_stride' ? { kind: this.word(kind) } : {};
        return {
          _tag: 'PoolLayer',
          ...kindWord,
          size: this.num(size!),
          ...(stride === undefined ? {} : { stride: this.num(stride) }),
          range,
        };
      }
      case 'flattenLayer':
        return { _tag: 'FlattenLayer', range };
      case 'residualLayer':
        return { _tag: 'ResidualLayer', body: this.layers(node), range };
      case 'dropoutLayer':
        return { _tag: 'DropoutLayer', rate: this.num(this.need(node, 'NumberLiteral')), range };
      case 'batchnormLayer':
        return { _tag: 'BatchnormLayer', ...activation, range };
      case 'outputLayer':
        return { _tag: 'OutputLayer', units: this.num(this.need(node, 'NumberLiteral')), ...activation, range };
      case 'unknownStatement':
        return { _tag: 'UnknownStatement', keyword: this.word(this.firstWord(node)), range };
      case 'misplacedInNetwork':
        return { _tag: 'MisplacedStatement', keyword: this.word(this.firstWord(node)), range };
      default:
        throw new Error(`to-ast: unexpected rule '${(node as CstNode).name}' in layer`);
    }
  }

  metric(node: C.MetricClauseCstNode): A.MetricClause {
    const braced = this.token(node, 'LCurly') !== undefined;
    return {
      _tag: 'MetricClause',
      kind: this.word(this.words(node)[1]!),
      ...(braced
        ? {
            grams: this.nodes(node, 'gramClause').map((g): A.GramClause => {
              const [side, kind] = this.words(g);
              const scale = this.token(g, 'NumberLiteral');
              const settings = this.optSettings(g);
              return {
                _tag: 'GramClause',
                side: this.word(side!),
                kind: this.word(kind!),
                ...(scale === undefined ? {} : { scale: this.num(scale) }),
                ...(settings === undefined ? {} : { settings }),
                range: this.range(g),
              };
            }),
          }
        : {}),
      range: this.range(node),
    };
  }

  optimizerItem(wrapper: C.OptimizerItemCstNode): A.OptimizerItem {
    const node = only<ChildNode<C.OptimizerItemCstNode, ChildKey<C.OptimizerItemCstNode>>>(wrapper, 'optimizerItem');
    switch (node.name) {
      case 'stepClause': {
        const lr = this.token(node, 'NumberLiteral');
        const settings = this.optSettings(node);
        return {
          _tag: 'StepClause',
          kind: this.word(this.words(node)[1]!),
          ...(lr === undefined ? {} : { lr: this.num(lr) }),
          ...(settings === undefined ? {} : { settings }),
          range: this.range(node),
        };
      }
      case 'metricClause':
        return this.metric(node);
      case 'misplacedInOptimizer':
        return { _tag: 'MisplacedStatement', keyword: this.word(this.firstWord(node)), range: this.range(node) };
      default:
        return this.option(node);
    }
  }

  growItem(wrapper: C.GrowItemCstNode): A.GrowItem {
    const node = only<ChildNode<C.GrowItemCstNode, ChildKey<C.GrowItemCstNode>>>(wrapper, 'growItem');
    const range = this.range(node);
    switch (node.name) {
      case 'atClause':
        return { _tag: 'AtClause', epochs: this.tokens(node, 'NumberLiteral').map((t) => this.num(t)), range };
      case 'everyClause':
        return { _tag: 'EveryClause', every: this.num(this.need(node, 'NumberLiteral')), range };
      case 'maxClause':
        return { _tag: 'MaxClause', max: this.num(this.need(node, 'NumberLiteral')), range };
      case 'normClause': {
        const m = this.node(node, 'metricClause');
        return { _tag: 'NormClause', norm: m === undefined ? this.word(this.words(node)[1]!) : this.metric(m), range };
      }
      case 'selectClause': {
        const arg = this.token(node, 'NumberLiteral');
        return {
          _tag: 'SelectClause',
          kind: this.word(this.words(node)[1]!),
          ...(arg === undefined ? {} : { arg: this.num(arg) }),
          range,
        };
      }
      case 'misplacedInGrow':
        return { _tag: 'MisplacedStatement', keyword: this.word(this.firstWord(node)), range };
      default:
        return this.option(node);
    }
  }
}

export interface ToAstResult {
  readonly ast: A.ExperimentNode;
  /** Problems with literals (unknown escapes, numbers too large); the AST is still whole. */
  readonly diagnostics: readonly Diagnostic[];
}

/** Builds the AST of a `sproutFile` CST that parsed without errors. */
export const toAst = (cst: C.SproutFileCstNode, lines: LineIndex): ToAstResult => {
  const b = new Builder(lines);
  const ast = b.experiment(b.needNode(cst, 'experiment'));
  return { ast, diagnostics: b.diagnostics };
};
