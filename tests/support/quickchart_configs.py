"""Chart configs in the shapes QuickChart documents for its plugins and chart types (written for
these tests). Each renders to a golden image in tests/golden/quickchart/."""

from __future__ import annotations

DATALABELS_BAR = {
    "type": "bar",
    "data": {
        "labels": ["Q1", "Q2", "Q3", "Q4"],
        "datasets": [
            {"label": "Revenue", "data": [12000, 19500, -3000, 15250.5]},
            {
                "label": "Cost",
                "data": [8000, 9000, 4000, 7000],
                "datalabels": {
                    "align": "start",
                    "anchor": "start",
                    "color": "#ffffff",
                    "backgroundColor": "#333333",
                    "borderRadius": 4,
                },
            },
        ],
    },
    "options": {
        "plugins": {
            "datalabels": {
                "anchor": "end",
                "align": "end",
                "color": "#1f2d3d",
                "font": {"size": 13, "weight": "bold"},
            },
            "tickFormat": {
                "locale": "en-US",
                "style": "currency",
                "currency": "USD",
                "maximumFractionDigits": 0,
                "applyToDataLabels": True,
            },
        }
    },
}

DATALABELS_PIE = {
    "type": "pie",
    "data": {"labels": ["A", "B", "C", "D"], "datasets": [{"data": [40, 25, 20, 15]}]},
    "options": {
        "plugins": {
            "datalabels": {
                "color": "#fff",
                "font": {"size": 16, "weight": "bold"},
                "backgroundColor": "rgba(0,0,0,0.4)",
                "borderColor": "#fff",
                "borderWidth": 1,
                "borderRadius": 3,
            },
            "tickFormat": {"suffix": "%", "applyToDataLabels": True},
        }
    },
}

DATALABELS_LINE = {
    "type": "line",
    "data": {
        "labels": ["Jan", "Feb", "Mar", "Apr", "May"],
        "datasets": [{"label": "Signups", "data": [0.12, 0.345, 0.28, 0.5, 0.41], "fill": False}],
    },
    "options": {
        "plugins": {
            "datalabels": {
                "align": "top",
                "offset": 6,
                "rotation": -20,
                "color": ["#ff6384", "#36a2eb", "#ff9f40", "#4bc0c0", "#9966ff"],
                "padding": {"top": 2, "bottom": 2, "left": 6, "right": 6},
                "borderColor": "#36a2eb",
                "borderWidth": 1,
                "backgroundColor": "#ffffff",
            },
            "tickFormat": {
                "locale": "de-DE",
                "style": "percent",
                "minimumFractionDigits": 1,
                "applyToDataLabels": True,
            },
        }
    },
}

ANNOTATIONS = {
    "type": "line",
    "data": {
        "labels": ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat"],
        "datasets": [{"label": "Load", "data": [30, 45, 62, 50, 71, 40]}],
    },
    "options": {
        "plugins": {
            "annotation": {
                "annotations": {
                    "limit": {
                        "type": "line",
                        "scaleID": "y",
                        "value": 60,
                        "borderColor": "red",
                        "borderWidth": 2,
                        "borderDash": [6, 4],
                        "label": {"content": "Limit 60", "display": True, "position": "end"},
                    },
                    "window": {
                        "type": "box",
                        "xMin": "Tue",
                        "xMax": "Thu",
                        "drawTime": "beforeDatasetsDraw",
                        "backgroundColor": "rgba(75,192,192,0.2)",
                        "borderColor": "rgb(75,192,192)",
                    },
                    "release": {
                        "type": "line",
                        "scaleID": "x",
                        "value": "Fri",
                        "borderColor": "#9966ff",
                        "label": {
                            "content": ["Release"],
                            "display": True,
                            "position": "start",
                            "backgroundColor": "#9966ff",
                        },
                    },
                    "start": {
                        "type": "point",
                        "xValue": "Mon",
                        "yValue": 30,
                        "radius": 8,
                        "backgroundColor": "rgba(255,159,64,0.5)",
                        "borderColor": "#ff9f40",
                    },
                    "note": {
                        "type": "label",
                        "xValue": "Wed",
                        "yValue": 72,
                        "content": "peak soon",
                        "color": "#333",
                    },
                }
            }
        }
    },
}

# Chart.js 2 / annotation 0.5 layout: options.annotation with mode and 2.x scale ids.
ANNOTATIONS_V2 = {
    "type": "bar",
    "data": {"labels": ["A", "B", "C", "D"], "datasets": [{"label": "Units", "data": [5, 9, 3, 7]}]},
    "options": {
        "annotation": {
            "annotations": [
                {
                    "type": "line",
                    "mode": "horizontal",
                    "scaleID": "y-axis-0",
                    "value": 6,
                    "borderColor": "black",
                    "borderWidth": 3,
                    "label": {
                        "enabled": True,
                        "content": "Average",
                        "position": "left",
                        "fontColor": "#ffff00",
                    },
                },
                {
                    "type": "box",
                    "yScaleID": "y-axis-0",
                    "yMin": 8,
                    "yMax": 10,
                    "backgroundColor": "rgba(255,99,132,0.25)",
                },
            ]
        }
    },
}

DOUGHNUT_LABEL = {
    "type": "doughnut",
    "data": {"labels": ["Done", "Left"], "datasets": [{"data": [72, 28]}]},
    "options": {
        "plugins": {
            "doughnutlabel": {
                "labels": [
                    {"text": "72%", "font": {"size": 36, "weight": "bold"}, "color": "#36a2eb"},
                    {"text": "complete", "font": {"size": 14}},
                ]
            }
        }
    },
}

OUTLABELED_PIE = {
    "type": "outlabeledPie",
    "data": {"labels": ["Alpha", "Beta", "Gamma", "Delta"], "datasets": [{"data": [50, 25, 15, 10]}]},
    "options": {
        "plugins": {
            "legend": False,
            "outlabels": {
                "text": "%l %p",
                "color": "white",
                "stretch": 25,
                "font": {"resizable": True, "minSize": 12, "maxSize": 18},
            },
        }
    },
}

SPARKLINE = {"type": "sparkline", "data": {"datasets": [{"data": [140, 60, 274, 370, 199, 280, 160, 320]}]}}

PROGRESS_BAR = {"type": "progressBar", "data": {"datasets": [{"data": [68]}]}}

# 15 out of 30, no percentage text, custom colours.
PROGRESS_BAR_WHOLE = {
    "type": "progressBar",
    "data": {
        "datasets": [
            {"data": [15], "backgroundColor": "#4bc0c0"},
            {"data": [30], "backgroundColor": "#d8f1f1"},
        ]
    },
    "options": {"plugins": {"datalabels": {"display": False}}},
}

RADIAL_GAUGE = {
    "type": "radialGauge",
    "data": {"datasets": [{"data": [72], "backgroundColor": "#36a2eb"}]},
    "options": {
        "trackColor": "#e6eef6",
        "centerPercentage": 80,
        "centerArea": {"fontColor": "#1f2d3d", "subText": "of 100"},
    },
}

GAUGE = {
    "type": "gauge",
    "data": {
        "datasets": [
            {
                "value": 63,
                "data": [40, 70, 100],
                "backgroundColor": ["#4bc0c0", "#ffcd56", "#ff6384"],
                "borderWidth": 2,
            }
        ]
    },
    "options": {
        "needle": {"radiusPercentage": 3, "widthPercentage": 4, "lengthPercentage": 75, "color": "#333333"},
        "valueLabel": {
            "fontSize": 20,
            "backgroundColor": "#333333",
            "color": "#ffffff",
            "numberFormat": {"suffix": " km/h"},
        },
    },
}

BOXPLOT = {
    "type": "boxplot",
    "data": {
        "labels": ["North", "South", "East"],
        "datasets": [
            {
                "label": "2023",
                "backgroundColor": "rgba(54,162,235,0.5)",
                "borderColor": "#36a2eb",
                "borderWidth": 1,
                "outlierBackgroundColor": "#ff6384",
                "data": [
                    [12, 15, 17, 18, 19, 21, 22, 24, 40],
                    [5, 9, 11, 12, 14, 15, 16, 19],
                    {"min": 8, "q1": 12, "median": 16, "q3": 20, "max": 26, "mean": 15.5},
                ],
            },
            {
                "label": "2024",
                "backgroundColor": "rgba(255,159,64,0.5)",
                "borderColor": "#ff9f40",
                "borderWidth": 1,
                "data": [
                    [14, 16, 18, 20, 21, 23, 25],
                    [2, 7, 10, 13, 15, 18, 22, 30],
                    [10, 13, 14, 17, 19, 21],
                ],
            },
        ],
    },
}

VIOLIN = {
    "type": "horizontalViolin",
    "data": {
        "labels": ["A", "B"],
        "datasets": [
            {
                "label": "Latency (ms)",
                "backgroundColor": "rgba(153,102,255,0.5)",
                "borderColor": "#9966ff",
                "borderWidth": 1,
                "data": [
                    [20, 22, 23, 25, 25, 26, 27, 28, 30, 31, 33, 36, 41, 48],
                    [10, 12, 15, 15, 16, 18, 19, 22, 24, 25, 27, 35],
                ],
            }
        ],
    },
}

SANKEY = {
    "type": "sankey",
    "data": {
        "datasets": [
            {
                "data": [
                    {"from": "Coal", "to": "Electricity", "flow": 30},
                    {"from": "Gas", "to": "Electricity", "flow": 20},
                    {"from": "Gas", "to": "Heat", "flow": 15},
                    {"from": "Solar", "to": "Electricity", "flow": 10},
                    {"from": "Electricity", "to": "Homes", "flow": 35},
                    {"from": "Electricity", "to": "Industry", "flow": 25},
                    {"from": "Heat", "to": "Homes", "flow": 15},
                ],
                "labels": {"Electricity": "Power grid"},
                "colorMode": "gradient",
            }
        ]
    },
}

DATALABELS_POLAR = {
    "type": "polarArea",
    "data": {"labels": ["N", "E", "S", "W"], "datasets": [{"data": [11, 16, 7, 14]}]},
    "options": {
        "plugins": {
            "datalabels": {"anchor": "end", "align": "start", "color": "#333", "font": {"weight": "bold"}},
            "tickFormat": {"suffix": " kn"},
        }
    },
}

# Dense labels with display "auto": the ones that would overlap an earlier label are left out.
DATALABELS_AUTO = {
    "type": "line",
    "data": {
        "labels": [str(day) for day in range(1, 41)],
        "datasets": [{"label": "Visits", "data": [1000 + (day * 379) % 900 for day in range(1, 41)]}],
    },
    "options": {"plugins": {"datalabels": {"display": "auto", "align": "top", "color": "#36a2eb"}}},
}

DATALABELS_RADAR = {
    "type": "radar",
    "data": {
        "labels": ["Speed", "Range", "Comfort", "Price", "Safety"],
        "datasets": [
            {"label": "Model S", "data": [8, 6, 7, 3, 9]},
            {"label": "Model T", "data": [5, 8, 6, 7, 6]},
        ],
    },
    "options": {
        "plugins": {
            "datalabels": {
                "anchor": "end",
                "align": "end",
                "offset": 2,
                "font": {"weight": "bold"},
                "numberFormat": {"suffix": "/10"},
            },
        }
    },
}
