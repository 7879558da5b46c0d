package postgres

// LatestVersion is the schema version Open migrates to.
var LatestVersion = len(migrations)
