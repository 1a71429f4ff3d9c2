"""JSON shapes of the market-data routes, for the OpenAPI document (the routes build their bodies
directly: the compatibility routes must keep their documents' shapes)."""

from __future__ import annotations

from marshmallow import INCLUDE, Schema, fields, validate

from core.services.market.intervals import CANDLE_INTERVALS, WIDTHS

TIME = "ISO 8601 (naive = UTC) or unix seconds, milliseconds or microseconds."


class CandlesQuerySchema(Schema):
    symbol = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "Symbol or alias, any case (BTCUSDT)."},
    )
    interval = fields.String(required=True, validate=validate.OneOf(CANDLE_INTERVALS))
    from_ = fields.String(data_key="from", metadata={"description": f"Start of the window. {TIME}"})
    to = fields.String(metadata={"description": f"End of the window (exclusive; default now). {TIME}"})


class CandleSchema(Schema):
    time = fields.String(required=True, metadata={"description": "Open time, 2025-12-03T14:00:00.000Z."})
    open = fields.Float(required=True)
    high = fields.Float(required=True)
    low = fields.Float(required=True)
    close = fields.Float(required=True)
    volume = fields.Float(required=True)
    trade_count = fields.Integer(required=True, allow_none=True, metadata={"description": "null: unknown."})


class CandlesSchema(Schema):
    symbol = fields.String(required=True)
    dbSymbol = fields.String(required=True)
    interval = fields.String(required=True)
    from_ = fields.String(required=True, data_key="from")
    to = fields.String(required=True)
    count = fields.Integer(required=True)
    data = fields.List(fields.Nested(CandleSchema), required=True)


class CandlesErrorSchema(Schema):
    class Meta:
        unknown = INCLUDE

    error = fields.String(required=True)
    message = fields.String(metadata={"description": "500 only: the cause."})
    allowedIntervals = fields.List(fields.String(), metadata={"description": "Invalid interval only."})
    maxCandles = fields.Integer()


class TradeSchema(Schema):
    symbol = fields.String(required=True)
    id = fields.Integer(
        required=True, metadata={"description": "The exchange's trade id (unique per symbol)."}
    )
    time = fields.Raw(required=True, metadata={"description": TIME})
    price = fields.Raw(
        required=True, metadata={"description": "Decimal number or string (strings keep every digit)."}
    )
    size = fields.Raw(required=True)
    side = fields.String(
        required=True, validate=validate.OneOf(["buy", "sell"]), metadata={"description": "The taker's side."}
    )


class TradesBodySchema(Schema):
    trades = fields.List(fields.Nested(TradeSchema), required=True)


class RowErrorSchema(Schema):
    index = fields.Integer(required=True)
    field = fields.String(required=True)
    error = fields.String(required=True)


class IngestResultSchema(Schema):
    received = fields.Integer(required=True)
    inserted = fields.Integer(required=True, metadata={"description": "New trades."})
    duplicates = fields.Integer(required=True, metadata={"description": "Trades already stored or repeated."})
    rejected = fields.Integer(required=True)
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)


class KlineSchema(Schema):
    time = fields.Raw(required=True, metadata={"description": f"Open time, aligned to the interval. {TIME}"})
    open = fields.Raw(required=True)
    high = fields.Raw(required=True)
    low = fields.Raw(required=True)
    close = fields.Raw(required=True)
    volume = fields.Raw(required=True)
    trade_count = fields.Integer()
    taker_buy_volume = fields.Raw()
    quote_volume = fields.Raw(metadata={"description": "Sum of price x size (quote currency)."})
    taker_buy_count = fields.Integer(metadata={"description": "Trades whose taker bought."})
    taker_buy_quote_volume = fields.Raw(metadata={"description": "Quote volume the taker buys traded."})


class KlinesBodySchema(Schema):
    symbol = fields.String(required=True)
    interval = fields.String(required=True, validate=validate.OneOf(list(WIDTHS)))
    candles = fields.List(
        fields.Raw(),
        required=True,
        metadata={
            "description": "Kline objects (time, open, high, low, close, volume, trade_count?, "
            "taker_buy_volume?, quote_volume?, taker_buy_count?, taker_buy_quote_volume?) or Binance "
            "kline arrays."
        },
    )


class KlinesResultSchema(Schema):
    symbol = fields.String(required=True)
    dbSymbol = fields.String(required=True)
    interval = fields.String(required=True)
    received = fields.Integer(required=True)
    written = fields.Integer(required=True)
    rejected = fields.Integer(required=True)
    errors = fields.List(fields.Nested(RowErrorSchema), required=True)


class UdfErrorSchema(Schema):
    """The TradingView-style API's errors."""

    s = fields.String(required=True, metadata={"enum": ["error"]})
    errmsg = fields.String(required=True)


class AuthorizeFormSchema(Schema):
    login = fields.String(
        required=True, validate=validate.Length(min=1), metadata={"description": "The account id (or name)."}
    )
    password = fields.String(
        required=True, validate=validate.Length(min=1), metadata={"description": "An API key of the account."}
    )


class TokenSchema(Schema):
    access_token = fields.String(required=True)
    expiration = fields.Integer(required=True, metadata={"description": "Unix seconds."})


class AuthorizedSchema(Schema):
    d = fields.Nested(TokenSchema, required=True)
    s = fields.String(required=True, metadata={"enum": ["ok"]})


class SymbolInfoQuerySchema(Schema):
    group = fields.String(metadata={"description": "Only this group, e.g. crypto."})


class SymbolInfoSchema(Schema):
    s = fields.String(required=True, metadata={"enum": ["ok"]})
    symbol = fields.List(fields.String(), required=True)
    currency = fields.List(fields.String(), required=True)
    base_currency = fields.List(fields.String(), required=True, data_key="base-currency")


class HistoryQuerySchema(Schema):
    symbol = fields.String(required=True, validate=validate.Length(min=1))
    resolution = fields.String(
        required=True,
        validate=validate.Length(min=1),
        metadata={"description": "Required, not used (say 1m)."},
    )
    from_ = fields.Integer(
        required=True, data_key="from", metadata={"description": "Unix seconds, inclusive."}
    )
    to = fields.Integer(required=True, metadata={"description": "Unix seconds, inclusive."})


class HistorySchema(Schema):
    s = fields.String(required=True, metadata={"enum": ["ok"]})
    t = fields.List(fields.Integer(), required=True)
    c = fields.List(fields.Float(), required=True)
    o = fields.List(fields.Float(), required=True)
    h = fields.List(fields.Float(), required=True)
    l = fields.List(fields.Float(), required=True)  # noqa: E741 - the public name
    v = fields.List(fields.Float(), required=True)


class HistoryRowsSchema(Schema):
    s = fields.String(required=True, metadata={"enum": ["ok"]})
    candles = fields.List(
        fields.List(fields.Float()),
        required=True,
        metadata={"description": "[time, open, high, low, close, volume] per candle."},
    )


class StreamingQuerySchema(Schema):
    symbol = fields.String(metadata={"description": "Comma-separated symbols."})
    feedId = fields.String(metadata={"description": "Comma-separated feed ids (0x + 64 hex digits)."})


def json_response(description: str, schema: type[Schema]) -> dict:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def udf_errors(messages: dict[int, str]) -> dict[int, dict]:
    """Error responses of the TradingView-style routes (``{"s": "error", "errmsg"}``), by status."""
    return {status: json_response(text, UdfErrorSchema) for status, text in messages.items()}
