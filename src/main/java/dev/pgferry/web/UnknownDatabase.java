package dev.pgferry.web;

/** The mapping has no such database (yet): 404 with the way back. */
class UnknownDatabase extends RuntimeException {

    UnknownDatabase(String mapping, String database) {
        super("mapping " + mapping + " has no database " + database + " (yet); the mapping's page lists the "
                + "databases it moves");
    }
}
