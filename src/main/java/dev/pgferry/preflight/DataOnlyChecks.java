package dev.pgferry.preflight;

import static dev.pgferry.preflight.PrivilegeChecks.shortList;

import dev.pgferry.monitor.ColumnFacts;
import dev.pgferry.preflight.Compatibility.Level;
import dev.pgferry.preflight.Compatibility.TableCompatibility;
import java.util.List;

/** For data-only mappings: the destination schema exists, fits the source, and its tables are empty. */
final class DataOnlyChecks {

    private DataOnlyChecks() {
    }

    static void add(CheckInput in, List<Check> checks) {
        if (!in.database().destinationDatabaseExists()) {
            checks.add(Check.block("destination.schema", "content data-only, but database " + in.db() + " does not "
                    + "exist on the destination", "Create the database and its schema on the destination first, or "
                    + "set " + in.mappingVariable("CONTENT") + "=schema-and-data."));
            return;
        }
        ColumnFacts facts = in.database().columnFacts().orElse(null);
        if (facts == null) {
            return;
        }
        List<TableCompatibility> report = Compatibility.evaluate(facts, in.mapping().scope());
        List<String> breaking = names(report, Level.BREAKING);
        List<String> attention = names(report, Level.NEEDS_ATTENTION);
        if (!breaking.isEmpty()) {
            checks.add(Check.block("destination.compatibility", breaking.size() + " table(s) cannot take the "
                    + "source's rows: " + shortList(breaking), "Align the destination schema (see the compatibility "
                    + "report), or leave those tables out of the scope."));
        } else if (!attention.isEmpty()) {
            checks.add(Check.warn("destination.compatibility", attention.size() + " table(s) need attention: "
                    + shortList(attention), "Read the compatibility report; widen the destination types or add "
                    + "keys where needed."));
        } else {
            checks.add(Check.ok("destination.compatibility", "every table's schema is compatible"));
        }
        if (in.database().subscription().isEmpty()) {
            List<String> nonEmpty = report.stream().map(TableCompatibility::table)
                    .filter(facts.nonEmptyDestinationTables()::contains).toList();
            checks.add(nonEmpty.isEmpty() ? Check.ok("destination.tables_empty", "the destination tables are empty")
                    : Check.block("destination.tables_empty", nonEmpty.size() + " destination table(s) already "
                            + "hold rows, which the initial copy would duplicate or collide with: "
                            + shortList(nonEmpty), "Empty them (TRUNCATE) on the destination, or leave them out "
                            + "of the scope."));
        }
    }

    private static List<String> names(List<TableCompatibility> report, Level level) {
        return report.stream().filter(t -> t.level() == level)
                .map(t -> t.table() + " (" + String.join("; ", t.reasons()) + ")").toList();
    }
}
