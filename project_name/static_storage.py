"""How collectstatic stores the static files for production mode."""

from whitenoise.storage import CompressedManifestStaticFilesStorage


class HashedStaticFilesStorage(CompressedManifestStaticFilesStorage):
    """WhiteNoise's compressed, content-hashed storage, with ES module imports hashed too.

    The editor's entry points import a shared chunk (`./chunks/ui.js`). Left as it is, the
    chunk keeps its plain name and a one-minute cache, so after an upgrade a browser could
    pair the new entry with the old chunk, whose exports have other (minified) names. With
    the import rewritten, the chunk is hashed and cached for good like the entry.
    """

    support_js_module_import_aggregation = True
