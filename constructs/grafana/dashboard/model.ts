/**
 * Typed subset of Grafana's dashboard JSON model (schema version 39, Grafana 10.4), covering what
 * the dashboards of this repository use. It is serialized with `JSON.stringify` into
 * `grafana_dashboard.config_json`; see https://grafana.com/docs/grafana/latest/dashboards/build-dashboards/view-dashboard-json-model/.
 */

/** Data source type keyword of Grafana's CloudWatch data source. */
export const CLOUDWATCH_DATA_SOURCE_TYPE = "cloudwatch";

/**
 * Data source type keyword of the Amazon Managed Service for Prometheus plugin
 * (DESIGN.md: SigV4 on the core `prometheus` type is deprecated).
 */
export const AMAZON_PROMETHEUS_DATA_SOURCE_TYPE = "grafana-amazonprometheus-datasource";

/** A reference to a data source, as panels and targets carry it. */
export interface DataSourceRef {
  /** The data source type keyword, for example `cloudwatch`. */
  readonly type: string;
  /** The data source's uid (a token such as `${grafana_data_source.x.uid}` is fine). */
  readonly uid: string;
}

/** Where a panel sits on the dashboard's 24-column grid. */
export interface GridPos {
  readonly x: number;
  readonly y: number;
  /** Width in grid columns (1 to 24). */
  readonly w: number;
  /** Height in grid rows (one row is 30 px). */
  readonly h: number;
}

/** A CloudWatch metric query in the CloudWatch data source's "Metric search" builder mode. */
export interface CloudWatchMetricTarget {
  readonly refId: string;
  readonly datasource: DataSourceRef;
  readonly queryMode: "Metrics";
  /** 0 = metric search (as opposed to 1 = Metrics Insights). */
  readonly metricQueryType: 0;
  /** 0 = builder (as opposed to 1 = code). */
  readonly metricEditorMode: 0;
  readonly region: string;
  readonly namespace: string;
  readonly metricName: string;
  readonly dimensions: Readonly<Record<string, string>>;
  /** Only series with exactly these dimensions, not ones with more. */
  readonly matchExact: boolean;
  /** `Average`, `Sum`, `Minimum`, `Maximum`, `SampleCount` or a percentile such as `p99`. */
  readonly statistic: string;
  /** Period in seconds as a string; empty lets Grafana choose from the time range. */
  readonly period: string;
  /** Legend label. */
  readonly label: string;
  readonly id: "";
  readonly expression: "";
}

/** A PromQL query against a Prometheus-compatible data source. */
export interface PrometheusTarget {
  readonly refId: string;
  readonly datasource: DataSourceRef;
  readonly expr: string;
  readonly legendFormat: string;
  readonly range: true;
  readonly instant: false;
  readonly editorMode: "code";
}

/** Any query a panel of this model can run. */
export type Target = CloudWatchMetricTarget | PrometheusTarget;

/** A time series panel. */
export interface TimeSeriesPanel {
  readonly id: number;
  readonly type: "timeseries";
  readonly title: string;
  readonly description: string;
  readonly gridPos: GridPos;
  readonly datasource: DataSourceRef;
  readonly targets: readonly Target[];
  readonly fieldConfig: {
    readonly defaults: { readonly unit: string; readonly min?: number };
    readonly overrides: readonly [];
  };
  readonly options: {
    readonly legend: {
      readonly displayMode: "list";
      readonly placement: "bottom";
      readonly showLegend: true;
    };
    readonly tooltip: { readonly mode: "multi"; readonly sort: "none" };
  };
}

/** A row that groups the panels below it. */
export interface RowPanel {
  readonly id: number;
  readonly type: "row";
  readonly title: string;
  readonly collapsed: false;
  readonly gridPos: GridPos;
  readonly panels: readonly [];
}

/** Any panel of this model. */
export type Panel = TimeSeriesPanel | RowPanel;

/** A whole dashboard, ready for `JSON.stringify`. */
export interface DashboardModel {
  readonly uid: string;
  readonly title: string;
  readonly description: string;
  readonly tags: readonly string[];
  readonly timezone: "browser" | "utc";
  /** Managed from code: edits in the UI are replaced on the next apply, so the UI offers none. */
  readonly editable: boolean;
  /** 1 = shared crosshair across panels. */
  readonly graphTooltip: 0 | 1 | 2;
  readonly schemaVersion: number;
  readonly time: { readonly from: string; readonly to: string };
  readonly refresh: string;
  readonly panels: readonly Panel[];
  readonly templating: { readonly list: readonly [] };
  readonly annotations: { readonly list: readonly [] };
}
