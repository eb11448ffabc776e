export interface Packed {
  readonly name: string;
  readonly version: string;
  /** Full path of the tarball. */
  readonly filename: string;
  readonly size: number;
  readonly unpackedSize: number;
  readonly entryCount: number;
  readonly integrity: string;
  readonly shasum: string;
  /** Paths inside the package. */
  readonly files: readonly string[];
  /** The package.json packed into the tarball. */
  readonly manifest: Record<string, unknown>;
}
export declare const packAll: (dir: string) => Promise<Packed[]>;
