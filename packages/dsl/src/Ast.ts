/**
 * The abstract syntax tree of a `.sprout` file: what the user wrote, with a source range on every node and
 * nothing filled in yet (defaults are added by to-spec). Nodes are readonly and tagged. Names stay words
 * here (`Word`), so to-spec can check them against the spec's vocabularies and point at them.
 */
import type { SourceRange } from '@sprout/spec';

export interface Word {
  readonly _tag: 'Word';
  readonly text: string;
  readonly range: SourceRange;
}
export interface Num {
  readonly _tag: 'Num';
  readonly value: number;
  /** The digits as written (the formatter keeps them). */
  readonly text: string;
  readonly range: SourceRange;
}
export interface Str {
  readonly _tag: 'Str';
  /** The string with its escapes resolved. */
  readonly value: string;
  readonly range: SourceRange;
}
export type Value = Word | Num | Str;

/** `key value` inside `{ … }`. */
export interface Setting {
  readonly _tag: 'Setting';
  readonly key: Word;
  readonly value: Value;
  readonly range: SourceRange;
}
export interface Settings {
  readonly _tag: 'Settings';
  readonly entries: readonly Setting[];
  readonly range: SourceRange;
}

// Layers ---------------------------------------------------------------------------------------------------

export interface InputLayer {
  readonly _tag: 'InputLayer';
  readonly dims: readonly Num[];
  readonly range: SourceRange;
}
export interface DenseLayer {
  readonly _tag: 'DenseLayer';
  readonly units: Num;
  readonly activation?: Word;
  readonly nobias?: Word;
  readonly range: SourceRange;
}
export interface ConvOption {
  readonly _tag: 'ConvOption';
  readonly key: Word;
  readonly value: Value;
  readonly range: SourceRange;
}
export interface ConvLayer {
  readonly _tag: 'ConvLayer';
  readonly filters: Num;
  readonly options: readonly ConvOption[];
  readonly activation?: Word;
  readonly range: SourceRange;
}
export interface PoolLayer {
  readonly _tag: 'PoolLayer';
  readonly kind?: Word;
  readonly size: Num;
  readonly stride?: Num;
  readonly range: SourceRange;
}
export interface FlattenLayer {
  readonly _tag: 'FlattenLayer';
  readonly range: SourceRange;
}
export interface ResidualLayer {
  readonly _tag: 'ResidualLayer';
  readonly body: readonly LayerNode[];
  readonly range: SourceRange;
}
export interface DropoutLayer {
  readonly _tag: 'DropoutLayer';
  readonly rate: Num;
  readonly range: SourceRange;
}
export interface BatchnormLayer {
  readonly _tag: 'BatchnormLayer';
  readonly activation?: Word;
  readonly range: SourceRange;
}
export interface OutputLayer {
  readonly _tag: 'OutputLayer';
  readonly units: Num;
  readonly activation?: Word;
  readonly range: SourceRange;
}
export type LayerNode =
  | InputLayer
  | DenseLayer
  | ConvLayer
  | PoolLayer
  | FlattenLayer
  | ResidualLayer
  | DropoutLayer
  | BatchnormLayer
  | OutputLayer
  | UnknownStatement
  | MisplacedStatement;

// Optimizer ------------------------------------------------------------------------------------------------

export interface StepClause {
  readonly _tag: 'StepClause';
  readonly kind: Word;
  readonly lr?: Num;
  readonly settings?: Settings;
  readonly range: SourceRange;
}
export interface GramClause {
  readonly _tag: 'GramClause';
  /** `domain` or `codomain`. */
  readonly side: Word;
  readonly kind: Word;
  readonly scale?: Num;
  readonly settings?: Settings;
  readonly range: SourceRange;
}
export interface MetricClause {
  readonly _tag: 'MetricClause';
  readonly kind: Word;
  /** Present when the metric has a `{ … }` body. */
  readonly grams?: readonly GramClause[];
  readonly range: SourceRange;
}
export type OptimizerItem = StepClause | MetricClause | Setting | MisplacedStatement;

// Growth ---------------------------------------------------------------------------------------------------

export interface AtClause {
  readonly _tag: 'AtClause';
  readonly epochs: readonly Num[];
  readonly range: SourceRange;
}
export interface EveryClause {
  readonly _tag: 'EveryClause';
  readonly every: Num;
  readonly range: SourceRange;
}
export interface MaxClause {
  readonly _tag: 'MaxClause';
  readonly max: Num;
  readonly range: SourceRange;
}
export interface NormClause {
  readonly _tag: 'NormClause';
  readonly norm: Word | MetricClause;
  readonly range: SourceRange;
}
export interface SelectClause {
  readonly _tag: 'SelectClause';
  readonly kind: Word;
  readonly arg?: Num;
  readonly range: SourceRange;
}
export type GrowItem = AtClause | EveryClause | MaxClause | NormClause | SelectClause | Setting | MisplacedStatement;

// Experiment items -----------------------------------------------------------------------------------------

export interface SeedStatement {
  readonly _tag: 'SeedStatement';
  readonly keyword: Word;
  readonly value: Num;
  readonly range: SourceRange;
}
export interface RepeatStatement {
  readonly _tag: 'RepeatStatement';
  readonly keyword: Word;
  readonly value: Num;
  readonly range: SourceRange;
}
export interface DataSection {
  readonly _tag: 'DataSection';
  readonly keyword: Word;
  readonly kind: Word;
  readonly paths: readonly Str[];
  readonly settings?: Settings;
  readonly range: SourceRange;
}
export interface NetworkSection {
  readonly _tag: 'NetworkSection';
  readonly keyword: Word;
  readonly layers: readonly LayerNode[];
  readonly range: SourceRange;
}
export interface LossStatement {
  readonly _tag: 'LossStatement';
  readonly keyword: Word;
  readonly name: Word;
  readonly range: SourceRange;
}
export interface OptimizerSection {
  readonly _tag: 'OptimizerSection';
  readonly keyword: Word;
  readonly kind: Word;
  readonly beta?: Num;
  readonly items: readonly OptimizerItem[];
  readonly range: SourceRange;
}
export interface TrainSection {
  readonly _tag: 'TrainSection';
  readonly keyword: Word;
  readonly settings: Settings;
  readonly range: SourceRange;
}
export interface GrowSection {
  readonly _tag: 'GrowSection';
  readonly keyword: Word;
  readonly kind: Word;
  /** Present when the policy has a `{ … }` body. */
  readonly items?: readonly GrowItem[];
  readonly range: SourceRange;
}
export interface RunClause {
  readonly _tag: 'RunClause';
  readonly name: Str;
  readonly items: readonly ExperimentItem[];
  readonly range: SourceRange;
}
export interface CompareSection {
  readonly _tag: 'CompareSection';
  readonly keyword: Word;
  readonly runs: readonly RunClause[];
  /** `base "grown"`: the names given to the base arm (the last one counts; more than one is an error). */
  readonly bases: readonly Str[];
  readonly range: SourceRange;
}
/** `lr [0.01, 0.1]`: a setting's path (or alias) and its values. */
export interface SweepAxisNode {
  readonly _tag: 'SweepAxis';
  readonly path: Word;
  readonly values: readonly Value[];
  readonly range: SourceRange;
}
export interface SweepBlock {
  readonly _tag: 'SweepBlock';
  /** `grid` or `zip`. */
  readonly kind: Word;
  readonly axes: readonly SweepAxisNode[];
  readonly range: SourceRange;
}
export interface SweepSection {
  readonly _tag: 'SweepSection';
  readonly keyword: Word;
  readonly blocks: readonly SweepBlock[];
  readonly range: SourceRange;
}
export interface ReportItem {
  readonly _tag: 'ReportItem';
  /** `plot` or `table`. */
  readonly kind: Word;
  readonly name: Word;
  readonly range: SourceRange;
}
export interface ReportSection {
  readonly _tag: 'ReportSection';
  readonly keyword: Word;
  readonly items: readonly ReportItem[];
  readonly range: SourceRange;
}
/** A statement of another block (`epochs 10` directly in `experiment`); to-spec says where it belongs. */
export interface MisplacedStatement {
  readonly _tag: 'MisplacedStatement';
  readonly keyword: Word;
  readonly range: SourceRange;
}
/** A statement the grammar does not know; to-spec reports it with a suggestion. */
export interface UnknownStatement {
  readonly _tag: 'UnknownStatement';
  readonly keyword: Word;
  readonly range: SourceRange;
}
export type ExperimentItem =
  | SeedStatement
  | RepeatStatement
  | DataSection
  | NetworkSection
  | LossStatement
  | OptimizerSection
  | TrainSection
  | GrowSection
  | CompareSection
  | SweepSection
  | ReportSection
  | UnknownStatement
  | MisplacedStatement;

export interface ExperimentNode {
  readonly _tag: 'Experiment';
  readonly keyword: Word;
  readonly name?: Str;
  readonly items: readonly ExperimentItem[];
  readonly range: SourceRange;
}
