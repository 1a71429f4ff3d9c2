"""The option keys the plugin readers consume, so the Chart.js parser does not report them as
ignored (a leaf module: the parser imports it without importing the readers)."""

OPTION_KEYS = ("annotation",)  # 2.x: options.annotation
PLUGIN_KEYS = ("datalabels", "tickFormat", "annotation", "doughnutlabel", "doughnutLabel", "outlabels")
DATASET_KEYS = ("datalabels", "outlabels")
