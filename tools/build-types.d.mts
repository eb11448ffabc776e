export declare const toCommonJsDeclaration: (text: string) => string;
export declare const buildTypes: (distOf?: (pkg: string) => string) => number;
