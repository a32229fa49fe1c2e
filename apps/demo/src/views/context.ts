import type { BackendChoice } from '../backends';
import type { ViewName } from '../shared';

/** What the page gives each view. */
export interface ViewContext {
  backend: BackendChoice;
  /** The query parameters the page was opened with. */
  parameters: URLSearchParams;
  /**
   * The view's main model: `?model=` (a shipped model's name or a model.json URL) or a model trained in the page
   * (`memory:<n>`) when one was chosen, else the view's default.
   */
  model(defaultModel: string): string;
  /** Makes `reference` the main model of every view (views already started load it when next shown). */
  useModel(reference: string | undefined, thenShow: ViewName): void;
  /** Sets this view's status line (HTML; escape what you put in). */
  setStatus(view: ViewName, html: string): void;
  /** Shows an error that stops the view. */
  fail(title: string, detail: string, hint?: string): void;
  /** Switches to another view. */
  showView(view: ViewName): void;
  /** Data the views share: the latest drawing (784 values), for Interpolate and Anomaly. */
  shared: { drawing?: Float32Array };
}

export interface View {
  /** Called the first time the view is shown; resolves when it has drawn. */
  start(): Promise<void>;
  /** Loads another main model (`context.model(...)` gives it) and redraws. */
  reload?(): Promise<void>;
  /** Called every later time the view is shown. */
  resume?(): void;
}
