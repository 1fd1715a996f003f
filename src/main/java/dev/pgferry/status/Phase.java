package dev.pgferry.status;

/** Where a database migration stands, derived on every tick from what the servers show. */
public enum Phase {
    /** not looked at yet since pgferry started (a tick looks at databases for a bounded time). */
    LOOKING,
    /** mode plan: nothing created yet; the plan shows what run mode would do. */
    PLANNED,
    /** a pre-flight check blocks; nothing is written until it is fixed. */
    BLOCKED,
    /** database, schema and publication being created on the way to the subscription. */
    SCHEMA,
    /** the initial copy of at least one table is running. */
    COPYING,
    /** every table copied, some still catching up with the changes made meanwhile. */
    CATCHING_UP,
    /** every table synchronized; changes are applied as they happen. */
    STREAMING,
    /** streaming and every cutover-ready condition held long enough. */
    READY,
    /**
     * turned around after the switch (reverse): the applications use the destination and its
     * changes flow back to the source, which stays frozen for them; rollback or complete ends it.
     */
    SWITCHED,
    /**
     * rolled back after being turned around: every change made on the destination is on the source
     * (verified), the reverse direction is removed and the source unfrozen; the destination stays
     * frozen for the applications.
     */
    ROLLED_BACK,
    /** marked complete: replication objects removed (or being removed). */
    COMPLETE,
    /** an action failed or replication broke in a way that needs the operator; the reason says how. */
    FAILED
}
