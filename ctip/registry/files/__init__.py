"""The shared, encrypted file store: attachments, evidence, screenshots.

For an app that attaches files to its own records (it keeps a foreign key to StoredFile):
1. in its AppConfig.ready(), `files.scopes.register_file_scope("myapp.thing", scope)`,
   where `scope(*, actor) -> Q` over StoredFile says which files of that purpose the actor
   may read (usually: a record of mine the actor may see points at the file);
2. in its service, after checking the actor may add to its record,
   `files.services.stored_file_create(actor=, purpose="myapp.thing", upload=, name=,
   agency=)`: the type is told by the content (JPEG, PNG, WebP, PDF, UTF-8 text), the
   size and pixels are bounded, metadata (EXIF/GPS, PDF info and XMP) stripped, the bytes
   sealed; ValidationError naming `file` when refused;
3. link to `registry:file-download` (pk): the page reads the file through
   `files.selectors.stored_file_open`, which applies the scope (unknown and forbidden: the
   same 404) and audits the read.
This package imports nothing itself: the registry's models module imports its models.
"""
