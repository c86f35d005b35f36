// Declarations for the two bpmn.io libraries: neither ships types for its main entry
// (bpmn-moddle's generated types describe elements only, under `bpmn-moddle/types`).
// Only what domain/process/bpmn.ts and its tests use.

declare module 'bpmn-moddle' {
  /** A BPMN model element; its properties are those of its `$type` in the BPMN meta-model. */
  export interface ModdleElement {
    readonly $type: string;
    $parent?: ModdleElement;
    $attrs: Record<string, string>;
    id?: string;
    get(name: string): unknown;
    set(name: string, value: unknown): void;
    [property: string]: unknown;
  }

  export interface ParseWarning {
    message: string;
    element?: unknown;
    property?: string;
    value?: unknown;
    error?: Error;
  }

  export interface ParseResult {
    rootElement: ModdleElement;
    references: unknown[];
    warnings: ParseWarning[];
    elementsById: Record<string, ModdleElement>;
  }

  export class BpmnModdle {
    constructor(packages?: Record<string, unknown>, options?: Record<string, unknown>);
    create(type: string, attrs?: Record<string, unknown>): ModdleElement;
    fromXML(xml: string, typeName?: string, options?: Record<string, unknown>): Promise<ParseResult>;
    toXML(element: ModdleElement, options?: { format?: boolean; preamble?: boolean }): Promise<{ xml: string }>;
  }
}

declare module 'bpmn-auto-layout' {
  /** Parses BPMN XML, replaces its diagram interchange (BPMNDI) with a computed layout of the first process. */
  export function layoutProcess(xml: string): Promise<string>;
}
