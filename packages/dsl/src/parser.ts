/**
 * The parser: tokens → concrete syntax tree, with chevrotain's error recovery on, so one run reports every
 * syntax error it can (each in the language's own words) and still yields a tree. Each rule is a class
 * property; the grammar table in README.md has one row per rule (a test keeps them in step).
 *
 * Statement heads are keywords; names in value positions (activations, data sets, optimisers …) are any
 * word and are checked against the spec's vocabularies later, where "did you mean" can be offered. Every
 * block also accepts an unknown statement (a word, its plain arguments and an optional block), so a
 * misspelt statement is one precise diagnostic instead of a cascade of syntax errors.
 */
import type { IParserErrorMessageProvider, IRecognitionException, IToken, TokenType } from 'chevrotain';
import { CstParser, EOF } from './internal/chevrotain.js';
import { didYouMean } from '@sprout/spec';
import * as T from './tokens.js';
import { HOME } from './internal/homes.js';
import type { SproutFileCstNode } from './Cst.js';
import { shorten } from './internal/positions.js';

/** How a token type is named in messages. */
const describeTokenType = (t: TokenType): string => {
  if (t === EOF) return 'the end of the file';
  if (typeof t.LABEL === 'string') return t.LABEL;
  return `'${T.keywordText(t)}'`;
};

/** How an actual token is named in messages. */
const describeToken = (token: IToken | undefined): string => {
  if (token === undefined || token.tokenType === EOF) return 'the end of the file';
  const image = shorten(token.image.replace(/\s+/g, ' '));
  if (token.tokenType === T.StringLiteral) return `the string ${image}`;
  if (token.tokenType === T.NumberLiteral) return `the number ${image}`;
  return `'${image}'`;
};

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];
const orList = (xs: readonly string[]): string => {
  const u = unique(xs);
  if (u.length <= 1) return u[0] ?? 'nothing';
  return `${u.slice(0, -1).join(', ')} or ${u[u.length - 1]}`;
};

const after = (previous: IToken | undefined): string =>
  previous !== undefined && previous.tokenType !== EOF && Number.isFinite(previous.startOffset) && previous.image !== ''
    ? ` after ${describeToken(previous)}`
    : '';

const suggestion = (actual: IToken | undefined, expected: readonly TokenType[]): string => {
  if (actual === undefined || !actual.tokenType.CATEGORIES?.includes(T.Name)) return '';
  const words = expected.filter((t) => t.name.startsWith('Kw_')).map(T.keywordText);
  const best = didYouMean(actual.image, words);
  return best === undefined ? '' : `; did you mean '${best}'?`;
};

/** Messages in Sprout's words: "expected a number after 'dense' but found 'relu'". */
const errorMessages: IParserErrorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual, previous }) =>
    expected === T.RCurly && actual.tokenType.name.startsWith('Kw_')
      ? `'${actual.image}' cannot appear here${HOME[actual.image] === undefined ? '' : ` (${HOME[actual.image]})`}; expected '}' or another statement of this block`
      : `expected ${describeTokenType(expected)}${after(previous)} but found ${describeToken(actual)}${suggestion(actual, [expected])}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }) =>
    firstRedundant.tokenType === T.RCurly
      ? "unmatched '}': there is no '{' for it to close"
      : `unexpected ${describeToken(firstRedundant)} after the end of the experiment; a file holds one experiment { … }`,
  buildNoViableAltMessage: ({ expectedPathsPerAlt, actual, previous }) => {
    const firsts = expectedPathsPerAlt
      .flatMap((alt) => alt.map((path) => path[0]))
      .filter((t): t is TokenType => t !== undefined);
    return `expected ${orList(firsts.map(describeTokenType))}${after(previous)} but found ${describeToken(actual[0])}${suggestion(actual[0], firsts)}`;
  },
  buildEarlyExitMessage: ({ expectedIterationPaths, actual, previous }) => {
    const firsts = expectedIterationPaths.map((path) => path[0]).filter((t): t is TokenType => t !== undefined);
    return `expected at least one ${orList(firsts.map(describeTokenType))}${after(previous)} but found ${describeToken(actual[0])}`;
  },
};

export interface SproutParserOptions {
  /**
   * Run chevrotain's grammar validations (ambiguities, left recursion, …) while constructing. They cost
   * about half of the construction time at every start of the CLI and find nothing a test would not, so
   * the shared instance skips them and `test/parser.test.ts` constructs a validated parser.
   * @default false
   */
  readonly validate?: boolean;
}

/**
 * Most syntax errors recorded in one parse. chevrotain's in-repetition recovery re-enters the repetition
 * recursively after each error it recovers from, and re-syncs token by token, so a file of thousands of
 * broken statements would cost stack depth and time in proportion to its errors. After this many errors
 * recovery is switched off: the next error ends the parse, and `ParseResult.stopped` says where.
 */
export const MAX_SYNTAX_ERRORS = 50;

/** chevrotain internals the error cap touches (present on every recognizer, not in its typings). */
interface RecoveryInternals {
  recoveryEnabled: boolean;
  attemptInRepetitionRecovery: (...args: unknown[]) => void;
  SAVE_ERROR: (error: IRecognitionException) => IRecognitionException;
}

export class SproutParser extends CstParser {
  /** The token at which recovery was switched off (the error cap was reached), if it was. */
  public stoppedAt: IToken | undefined;
  /** The error cap of the current parse (see `restart`). */
  private maxErrors = MAX_SYNTAX_ERRORS;

  constructor(options: SproutParserOptions = {}) {
    super([...T.ALL_TOKENS], {
      recoveryEnabled: true,
      nodeLocationTracking: 'full',
      errorMessageProvider: errorMessages,
      maxLookahead: 3,
      skipValidations: !(options.validate ?? false),
    });
    this.performSelfAnalysis();
    const self = this as unknown as RecoveryInternals;
    const attempt = self.attemptInRepetitionRecovery;
    // The repetition recovery is an instance property (installed when recovery is on at construction);
    // once the cap is reached it must not run again.
    self.attemptInRepetitionRecovery = function (this: RecoveryInternals, ...args: unknown[]): void {
      if (this.recoveryEnabled) attempt.apply(this, args);
    };
    const save = self.SAVE_ERROR;
    self.SAVE_ERROR = function (
      this: RecoveryInternals & SproutParser,
      error: IRecognitionException,
    ): IRecognitionException {
      const saved = save.call(this, error);
      if (this.recoveryEnabled && this.errors.length >= this.maxErrors) {
        this.recoveryEnabled = false;
        this.stoppedAt = error.token;
      }
      return saved;
    };
  }

  /** The next token to be read (public for the stack-overflow guard). */
  public nextToken(): IToken {
    return this.LA(1);
  }

  /** Starts a new parse: recovery on again, no stop recorded. */
  public restart(tokens: readonly IToken[], maxErrors = MAX_SYNTAX_ERRORS): void {
    this.input = [...tokens];
    this.maxErrors = maxErrors;
    (this as unknown as RecoveryInternals).recoveryEnabled = true;
    this.stoppedAt = undefined;
  }

  // The alternatives of the repetitions that can run for thousands of tokens (the arguments of unknown
  // and misplaced statements, raw blocks), built once: an inline `OR([{ ALT: () => … }])` allocates its
  // array and closures at every iteration, which under tsx (esbuild's `__name` on every closure) cost
  // 15 µs a token: 40,000 `dense` words after an unknown word took 0.6 s to parse without any error.
  private readonly unknownArguments = [
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.CONSUME2(T.Identifier) },
  ];
  private readonly misplacedArguments = [
    { ALT: () => this.CONSUME(T.NumberLiteral) },
    { ALT: () => this.CONSUME(T.StringLiteral) },
    { ALT: () => this.CONSUME(T.Identifier) },
    { ALT: () => this.CONSUME(T.Filler) },
  ];
  private readonly rawItems = [{ ALT: () => this.SUBRULE(this.rawBlock) }, { ALT: () => this.CONSUME(T.Atom) }];

  private readonly experimentItemAlternatives = [
    { ALT: () => this.SUBRULE(this.seedStatement) },
    { ALT: () => this.SUBRULE(this.repeatStatement) },
    { ALT: () => this.SUBRULE(this.dataSection) },
    { ALT: () => this.SUBRULE(this.networkSection) },
    { ALT: () => this.SUBRULE(this.lossStatement) },
    { ALT: () => this.SUBRULE(this.optimizerSection) },
    { ALT: () => this.SUBRULE(this.trainSection) },
    { ALT: () => this.SUBRULE(this.growSection) },
    { ALT: () => this.SUBRULE(this.compareSection) },
    { ALT: () => this.SUBRULE(this.sweepSection) },
    { ALT: () => this.SUBRULE(this.reportSection) },
    { ALT: () => this.SUBRULE(this.unknownStatement) },
    { ALT: () => this.SUBRULE(this.misplacedInExperiment) },
  ];
  private readonly compareItemAlternatives = [
    { ALT: () => this.SUBRULE(this.runClause) },
    { ALT: () => this.SUBRULE(this.baseClause) },
  ];
  private readonly layerAlternatives = [
    { ALT: () => this.SUBRULE(this.inputLayer) },
    { ALT: () => this.SUBRULE(this.denseLayer) },
    { ALT: () => this.SUBRULE(this.convLayer) },
    { ALT: () => this.SUBRULE(this.poolLayer) },
    { ALT: () => this.SUBRULE(this.flattenLayer) },
    { ALT: () => this.SUBRULE(this.residualLayer) },
    { ALT: () => this.SUBRULE(this.dropoutLayer) },
    { ALT: () => this.SUBRULE(this.batchnormLayer) },
    { ALT: () => this.SUBRULE(this.outputLayer) },
    { ALT: () => this.SUBRULE(this.unknownStatement) },
    { ALT: () => this.SUBRULE(this.misplacedInNetwork) },
  ];
  private readonly optimizerItemAlternatives = [
    { ALT: () => this.SUBRULE(this.stepClause) },
    { ALT: () => this.SUBRULE(this.metricClause) },
    { ALT: () => this.SUBRULE(this.namedValue) },
    { ALT: () => this.SUBRULE(this.misplacedInOptimizer) },
  ];
  private readonly growItemAlternatives = [
    { ALT: () => this.SUBRULE(this.atClause) },
    { ALT: () => this.SUBRULE(this.everyClause) },
    { ALT: () => this.SUBRULE(this.maxClause) },
    { ALT: () => this.SUBRULE(this.normClause) },
    { ALT: () => this.SUBRULE(this.selectClause) },
    { ALT: () => this.SUBRULE(this.namedValue) },
    { ALT: () => this.SUBRULE(this.misplacedInGrow) },
  ];

  /** A whole file: one experiment. */
  public sproutFile = this.RULE('sproutFile', () => {
    this.SUBRULE(this.experiment);
  });

  public experiment = this.RULE('experiment', () => {
    this.CONSUME(T.Experiment);
    this.OPTION(() => this.CONSUME(T.StringLiteral));
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.experimentItem);
      this.OPTION2(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** A statement of an experiment or of a compare arm (`run "…" { … }`); to-spec says which belong where. */
  public experimentItem = this.RULE('experimentItem', () => {
    this.OR(this.experimentItemAlternatives);
  });

  public seedStatement = this.RULE('seedStatement', () => {
    this.CONSUME(T.Seed);
    this.CONSUME(T.NumberLiteral);
  });

  public repeatStatement = this.RULE('repeatStatement', () => {
    this.CONSUME(T.Repeat);
    this.CONSUME(T.NumberLiteral);
  });

  /** `data spirals { … }`, `data mnist`, `data csv "path" { … }`, `data idx "images" "labels"`. */
  public dataSection = this.RULE('dataSection', () => {
    this.CONSUME(T.Data);
    this.CONSUME(T.Name);
    this.MANY(() => this.CONSUME(T.StringLiteral));
    this.OPTION(() => this.SUBRULE(this.settings));
  });

  public networkSection = this.RULE('networkSection', () => {
    this.CONSUME(T.Network);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.layer);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  public layer = this.RULE('layer', () => {
    this.OR(this.layerAlternatives);
  });

  /** `input 2` or `input 28 28 1`. */
  public inputLayer = this.RULE('inputLayer', () => {
    this.CONSUME(T.Input);
    this.AT_LEAST_ONE(() => this.CONSUME(T.NumberLiteral));
  });

  /** `dense 5 relu`, `dense 3 linear nobias`. */
  public denseLayer = this.RULE('denseLayer', () => {
    this.CONSUME(T.Dense);
    this.CONSUME(T.NumberLiteral);
    this.OPTION(() => this.CONSUME(T.Identifier));
    this.OPTION2(() => this.CONSUME(T.Nobias));
  });

  /** `conv 8 kernel 3 [stride 1] [padding same] relu`. */
  public convLayer = this.RULE('convLayer', () => {
    this.CONSUME(T.Conv);
    this.CONSUME(T.NumberLiteral);
    this.MANY(() => this.SUBRULE(this.convOption));
    this.OPTION(() => this.CONSUME(T.Identifier));
  });

  public convOption = this.RULE('convOption', () => {
    this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Kernel);
          this.CONSUME(T.NumberLiteral);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Stride);
          this.CONSUME2(T.NumberLiteral);
        },
      },
      {
        ALT: () => {
          this.CONSUME(T.Padding);
          this.CONSUME(T.Name);
        },
      },
    ]);
  });

  /** `pool max 2 [stride 2]`. */
  public poolLayer = this.RULE('poolLayer', () => {
    this.CONSUME(T.Pool);
    this.OPTION(() => this.CONSUME(T.Name));
    this.CONSUME(T.NumberLiteral);
    this.OPTION2(() => {
      this.CONSUME(T.Stride);
      this.CONSUME2(T.NumberLiteral);
    });
  });

  public flattenLayer = this.RULE('flattenLayer', () => {
    this.CONSUME(T.Flatten);
  });

  /** `residual { dense 3 tanh  dense 3 linear nobias }`: the block `x + f(x)`. */
  public residualLayer = this.RULE('residualLayer', () => {
    this.CONSUME(T.Residual);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.layer);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  public dropoutLayer = this.RULE('dropoutLayer', () => {
    this.CONSUME(T.Dropout);
    this.CONSUME(T.NumberLiteral);
  });

  /** `batchnorm`, `batchnorm relu` (the norm, then the activation). */
  public batchnormLayer = this.RULE('batchnormLayer', () => {
    this.CONSUME(T.Batchnorm);
    this.OPTION(() => this.CONSUME(T.Identifier));
  });

  /** `output 2`, `output 10 softmax`. */
  public outputLayer = this.RULE('outputLayer', () => {
    this.CONSUME(T.Output);
    this.CONSUME(T.NumberLiteral);
    this.OPTION(() => this.CONSUME(T.Identifier));
  });

  public lossStatement = this.RULE('lossStatement', () => {
    this.CONSUME(T.Loss);
    this.CONSUME(T.Name);
  });

  /** `optimizer sgd { … }`, `optimizer momentum 0.9 { … }`, `optimizer adam { beta1 0.9 … }`. */
  public optimizerSection = this.RULE('optimizerSection', () => {
    this.CONSUME(T.Optimizer);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.NumberLiteral));
    this.OPTION2(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => {
        this.SUBRULE(this.optimizerItem);
        this.OPTION3(() => this.CONSUME(T.Comma));
      });
      this.CONSUME(T.RCurly);
    });
  });

  public optimizerItem = this.RULE('optimizerItem', () => {
    this.OR(this.optimizerItemAlternatives);
  });

  /** `step constant 0.2`, `step cosine 0.1 { min_lr 0 }`, `step adaptive { variance per_example }`. */
  public stepClause = this.RULE('stepClause', () => {
    this.CONSUME(T.Step);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.NumberLiteral));
    this.OPTION2(() => this.SUBRULE(this.settings));
  });

  /** `metric euclidean`, `metric frobenius { domain width  codomain scaled 2 }`. */
  public metricClause = this.RULE('metricClause', () => {
    this.CONSUME(T.Metric);
    this.CONSUME(T.Name);
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => {
        this.SUBRULE(this.gramClause);
        this.OPTION2(() => this.CONSUME(T.Comma));
      });
      this.CONSUME(T.RCurly);
    });
  });

  /** `domain identity`, `codomain scaled 2`, `domain width`, `domain data { structure dense … }`. */
  public gramClause = this.RULE('gramClause', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Domain) }, { ALT: () => this.CONSUME(T.Codomain) }]);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.NumberLiteral));
    this.OPTION2(() => this.SUBRULE(this.settings));
  });

  /** `train { epochs 1850, batch full, shuffle true }`. */
  public trainSection = this.RULE('trainSection', () => {
    this.CONSUME(T.Train);
    this.SUBRULE(this.settings);
  });

  /** `grow none`, `grow sensli { … }`. */
  public growSection = this.RULE('growSection', () => {
    this.CONSUME(T.Grow);
    this.CONSUME(T.Name);
    this.OPTION(() => {
      this.CONSUME(T.LCurly);
      this.MANY(() => {
        this.SUBRULE(this.growItem);
        this.OPTION2(() => this.CONSUME(T.Comma));
      });
      this.CONSUME(T.RCurly);
    });
  });

  public growItem = this.RULE('growItem', () => {
    this.OR(this.growItemAlternatives);
  });

  /** `at epoch 450` or `at epochs 450, 900`. */
  public atClause = this.RULE('atClause', () => {
    this.CONSUME(T.At);
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Epoch) }, { ALT: () => this.CONSUME(T.Epochs) }]));
    this.CONSUME(T.NumberLiteral);
    // `, N` continues the list; `, word` separates the next statement (LL(2), decided by a gate).
    this.MANY({
      GATE: () => this.LA(2).tokenType === T.NumberLiteral,
      DEF: () => {
        this.CONSUME(T.Comma);
        this.CONSUME2(T.NumberLiteral);
      },
    });
  });

  /** `every 100 epochs`. */
  public everyClause = this.RULE('everyClause', () => {
    this.CONSUME(T.Every);
    this.CONSUME(T.NumberLiteral);
    this.OPTION(() => this.OR([{ ALT: () => this.CONSUME(T.Epochs) }, { ALT: () => this.CONSUME(T.Epoch) }]));
  });

  /** `max 3`: most insertions of an `every` schedule. */
  public maxClause = this.RULE('maxClause', () => {
    this.CONSUME(T.Max);
    this.CONSUME(T.NumberLiteral);
  });

  /** `norm fro`, `norm fro_numel`, `norm spectral`, `norm metric frobenius { … }`. */
  public normClause = this.RULE('normClause', () => {
    this.CONSUME(T.Norm);
    this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [{ ALT: () => this.SUBRULE(this.metricClause) }, { ALT: () => this.CONSUME(T.Name) }],
    });
  });

  /** `select max`, `select min`, `select position 2`, `select threshold 1.5`. */
  public selectClause = this.RULE('selectClause', () => {
    this.CONSUME(T.Select);
    this.CONSUME(T.Name);
    this.OPTION(() => this.CONSUME(T.NumberLiteral));
  });

  public compareSection = this.RULE('compareSection', () => {
    this.CONSUME(T.Compare);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.OR(this.compareItemAlternatives);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `base "grown"`: the name of the arm with the experiment's own settings (default `base`). */
  public baseClause = this.RULE('baseClause', () => {
    this.CONSUME(T.Base);
    this.CONSUME(T.StringLiteral);
  });

  /** `run "fixed large" { network { … }  grow none }`. */
  public runClause = this.RULE('runClause', () => {
    this.CONSUME(T.Run);
    this.CONSUME(T.StringLiteral);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.experimentItem);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `sweep { grid { lr [0.01, 0.1]  width [5, 10] }  zip { … } }`. */
  public sweepSection = this.RULE('sweepSection', () => {
    this.CONSUME(T.Sweep);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.sweepBlock);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `grid { … }` (every combination) or `zip { … }` (values taken together). */
  public sweepBlock = this.RULE('sweepBlock', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Grid) }, { ALT: () => this.CONSUME(T.Zip) }]);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.sweepAxis);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `optimizer.step.value [0.01, 0.1, 1]`, `lr [0.1, 1]`, `variance [none, per_example]`. */
  public sweepAxis = this.RULE('sweepAxis', () => {
    this.OR([{ ALT: () => this.CONSUME(T.SettingPath) }, { ALT: () => this.CONSUME(T.Name) }]);
    this.CONSUME(T.LBracket);
    this.MANY(() => {
      this.SUBRULE(this.value);
      this.OPTION2(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RBracket);
  });

  public reportSection = this.RULE('reportSection', () => {
    this.CONSUME(T.Report);
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.reportItem);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `plot curves`, `plot sensitivities`, `table final`. */
  public reportItem = this.RULE('reportItem', () => {
    this.OR([{ ALT: () => this.CONSUME(T.Plot) }, { ALT: () => this.CONSUME(T.Table) }]);
    this.CONSUME(T.Name);
  });

  /** `{ key value, key value … }`: the options of a data set, the training, a step rule or a Gram family. */
  public settings = this.RULE('settings', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => {
      this.SUBRULE(this.setting);
      this.OPTION(() => this.CONSUME(T.Comma));
    });
    this.CONSUME(T.RCurly);
  });

  /** `points 300`, `batch full`, `label "y"`. */
  public setting = this.RULE('setting', () => {
    this.CONSUME(T.Name);
    this.SUBRULE(this.value);
  });

  /** `beta1 0.9`, `lr_factor 0.5`: a setting among statements, so its key is an identifier, never a keyword. */
  public namedValue = this.RULE('namedValue', () => {
    this.CONSUME(T.Identifier);
    this.SUBRULE(this.value);
  });

  public value = this.RULE('value', () => {
    this.OR([
      { ALT: () => this.CONSUME(T.NumberLiteral) },
      { ALT: () => this.CONSUME(T.StringLiteral) },
      { ALT: () => this.CONSUME(T.Name) },
    ]);
  });

  /**
   * A statement Sprout does not know: an identifier (not a keyword), its plain arguments and an optional
   * block; to-spec reports it with "did you mean". A keyword out of place is a syntax error instead.
   */
  public unknownStatement = this.RULE('unknownStatement', () => {
    this.CONSUME(T.Identifier);
    this.MANY(() => this.OR(this.unknownArguments));
    this.OPTION(() => this.SUBRULE(this.rawBlock));
  });

  /** A statement of another block (`epochs 10` directly in `experiment`): reported by to-spec with where it belongs. */
  public misplacedInExperiment = this.RULE('misplacedInExperiment', () => {
    this.CONSUME(T.NotExperimentHead);
    this.SUBRULE(this.misplacedRest);
  });

  public misplacedInNetwork = this.RULE('misplacedInNetwork', () => {
    this.CONSUME(T.NotLayerHead);
    this.SUBRULE(this.misplacedRest);
  });

  public misplacedInOptimizer = this.RULE('misplacedInOptimizer', () => {
    this.CONSUME(T.NotOptimizerHead);
    this.SUBRULE(this.misplacedRest);
  });

  public misplacedInGrow = this.RULE('misplacedInGrow', () => {
    this.CONSUME(T.NotGrowHead);
    this.SUBRULE(this.misplacedRest);
  });

  /** What follows a misplaced keyword: its plain arguments and an optional block, skipped. */
  public misplacedRest = this.RULE('misplacedRest', () => {
    this.MANY(() => this.OR(this.misplacedArguments));
    this.OPTION(() => this.SUBRULE(this.rawBlock));
  });

  /** The unparsed body of an unknown statement: balanced braces around anything. */
  public rawBlock = this.RULE('rawBlock', () => {
    this.CONSUME(T.LCurly);
    this.MANY(() => this.OR(this.rawItems));
    this.CONSUME(T.RCurly);
  });
}

/** One parser instance, reused (chevrotain parsers are stateful but reset by setting `input`). */
export const sproutParser = new SproutParser();

/** Names of all grammar rules (for the grammar-table drift test). */
export const RULE_NAMES: readonly string[] =
  sproutParser.getGAstProductions() instanceof Map
    ? [...(sproutParser.getGAstProductions() as unknown as Map<string, unknown>).keys()]
    : Object.keys(sproutParser.getGAstProductions());

export interface ParseResult {
  /** Absent when the parse was cut short (`tooComplex`). */
  readonly cst?: SproutFileCstNode;
  readonly errors: readonly IRecognitionException[];
  /** Set when MAX_SYNTAX_ERRORS errors switched recovery off: the token of the last recovered error. */
  readonly stopped?: IToken;
  /**
   * Set when the parse ran out of stack (a RangeError, which the guards before parsing should make
   * impossible): the token the parser had reached. The parse is abandoned, never rethrown.
   */
  readonly tooComplex?: IToken;
}

/** Options of `parseTokens`. */
export interface ParseTokensOptions {
  /**
   * Syntax errors after which recovery is switched off and the next error ends the parse.
   * @default MAX_SYNTAX_ERRORS
   */
  readonly maxErrors?: number;
}

/**
 * Parses tokens into a CST; `errors` lists every syntax error (the parser recovers and goes on, up to
 * MAX_SYNTAX_ERRORS). Never throws a RangeError: a stack overflow becomes `tooComplex`.
 */
export const parseTokens = (tokens: readonly IToken[], options: ParseTokensOptions = {}): ParseResult => {
  sproutParser.restart(tokens, options.maxErrors ?? MAX_SYNTAX_ERRORS);
  try {
    const cst = sproutParser.sproutFile() as SproutFileCstNode;
    const stopped = sproutParser.stoppedAt;
    return { cst, errors: [...sproutParser.errors], ...(stopped === undefined ? {} : { stopped }) };
  } catch (e) {
    if (!(e instanceof RangeError)) throw e;
    const at = sproutParser.nextToken();
    const errors = [...sproutParser.errors];
    sproutParser.restart([]);
    return { errors, tooComplex: at };
  }
};
