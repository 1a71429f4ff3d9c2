// Starts Swagger UI on the OpenAPI document. No inline script, so the page's CSP can forbid them;
// validatorUrl null keeps the reference from calling validator.swagger.io.
(function () {
  var root = document.getElementById("swagger-ui");
  window.ui = SwaggerUIBundle({
    url: root.getAttribute("data-spec-url"),
    domNode: root,
    deepLinking: true,
    validatorUrl: null,
    tryItOutEnabled: false,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
})();
