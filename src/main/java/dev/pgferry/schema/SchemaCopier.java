package dev.pgferry.schema;

import dev.pgferry.config.Mapping;
import dev.pgferry.pg.ActionException;
import dev.pgferry.pg.PgDumpRunner;
import dev.pgferry.pg.PgToolException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.springframework.stereotype.Component;

/**
 * Copies a database's schema with pg_dump and restores it in one transaction, so an interrupted
 * copy leaves the destination database empty and the step can simply run again.
 */
@Component
public class SchemaCopier {

    private final PgDumpRunner runner;

    public SchemaCopier(PgDumpRunner runner) {
        this.runner = runner;
    }

    /** {@code filter}: pg_dump's selection options for the mapping's scope (see {@link DumpFilter}). */
    public void copy(Mapping mapping, String database, java.util.List<String> filter) throws ActionException {
        Path archive = null;
        Path list = null;
        try {
            archive = Files.createTempFile("pgferry-schema-", ".dump");
            runner.dumpSchema(mapping.source(), database, filter, archive);
            // every entry but another mapping's DDL capture trigger (its schema is not dumped)
            list = Files.createTempFile("pgferry-list-", ".txt");
            Files.write(list, runner.contents(archive).stream().filter(line -> !dev.pgferry.pg.CaptureObjects.isTocEntry(line))
                    .toList());
            runner.restoreListed(mapping.destination(), database, archive, list, java.util.Map.of());
        } catch (PgToolException e) {
            throw new ActionException("copy schema of " + database + ": " + e.getMessage(), false);
        } catch (IOException e) {
            throw new ActionException("copy schema of " + database + ": " + e.getMessage(), true);
        } finally {
            if (archive != null) {
                archive.toFile().delete();
            }
            if (list != null) {
                list.toFile().delete();
            }
        }
    }
}
