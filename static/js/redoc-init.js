/* Starts ReDoc (the API reference, /api/v1/redoc/) under the Content-Security-Policy: ReDoc injects
   its styles in <style> elements, which the policy allows only with the request's nonce, given to
   this script's tag and read here from its `nonce` property (the attribute itself reads empty). */
(function () {
  "use strict";
  var script = document.currentScript;
  window.Redoc.init(script.getAttribute("data-schema-url"), { nonce: script.nonce, disableSearch: true, hideLoading: true }, document.getElementById("redoc-container"));
})();
