package dev.pgferry.reconcile;

/**
 * One idempotent step the planner asks for. Each can be interrupted at any point and run again:
 * it checks the catalog first or tolerates "already exists".
 */
public sealed interface Action {

    /** What the step does, in the words of the plan view. */
    String describe();

    record CreatePublication(String publication) implements Action {
        public String describe() {
            return "create publication " + publication + " on the source (all tables, published via partition root)";
        }
    }

    record CreateDatabase(String database, String encoding) implements Action {
        public String describe() {
            return "create database " + database + " on the destination (encoding " + encoding + ")";
        }
    }

    record CopySchema(String database) implements Action {
        public String describe() {
            return "copy the schema of " + database + " with pg_dump --schema-only | pg_restore --single-transaction";
        }
    }

    record DropInactiveSlot(String slot) implements Action {
        public String describe() {
            return "drop the leftover replication slot " + slot + " on the source (not in use)";
        }
    }

    record CreateSubscription(String subscription, String publication, String slot) implements Action {
        public String describe() {
            return "create subscription " + subscription + " on the destination (creates slot " + slot
                    + ", copy_data = true)";
        }
    }

    record DropSubscription(String subscription) implements Action {
        public String describe() {
            return "drop subscription " + subscription + " on the destination (and with it the slot on the source)";
        }
    }

    record DropPublication(String publication) implements Action {
        public String describe() {
            return "drop publication " + publication + " on the source";
        }
    }
}
