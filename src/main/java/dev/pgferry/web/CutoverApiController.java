package dev.pgferry.web;

import dev.pgferry.cutover.CutoverChecklists;
import dev.pgferry.cutover.CutoverView;
import dev.pgferry.cutover.Drain;
import dev.pgferry.cutover.Freeze;
import dev.pgferry.cutover.MaterializedViews.RefreshReport;
import dev.pgferry.largeobjects.LargeObjectSync.LargeObjectReport;
import dev.pgferry.cutover.SequenceSync.SequenceReport;
import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.operator.CutoverActions;
import dev.pgferry.reconcile.UnknownMapping;
import java.security.Principal;
import java.util.List;
import java.util.Map;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The cutover steps in the JSON API: the checklist, and each step that pgferry can do. */
@RestController
@RequestMapping("/api/mappings/{name}")
class CutoverApiController {

    private final CutoverActions cutover;
    private final CutoverChecklists checklists;

    CutoverApiController(CutoverActions cutover, CutoverChecklists checklists) {
        this.cutover = cutover;
        this.checklists = checklists;
    }

    /** The checklist: each step's state, the exact commands for this mapping, the freeze's outlook. */
    @GetMapping("/cutover")
    CutoverView checklist(@PathVariable String name) {
        return checklists.of(name).orElseThrow(() -> new UnknownMapping(name));
    }

    /**
     * Freezes the writes on the source for every application role (NOLOGIN, read-only default,
     * sessions ended), recording each previous value; 409 when not allowed by configuration, not
     * cutover-ready (unless force=true) or when the source refuses (nothing changed then).
     */
    @PostMapping("/freeze")
    Freeze.Frozen freeze(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force,
            Principal user) throws ActionRefused {
        return cutover.freeze(name, user.getName(), force);
    }

    /** Restores every role and database setting the freeze changed; 409 when not frozen. */
    @PostMapping("/unfreeze")
    Freeze.Unfrozen unfreeze(@PathVariable String name, Principal user) throws ActionRefused {
        return cutover.unfreeze(name, user.getName());
    }

    /**
     * Records each database's freeze point once nothing writes on the source; 409 naming the
     * databases still written to. Each database then shows when it has drained past its point.
     */
    @PostMapping("/drain")
    List<Drain.FreezePoint> drain(@PathVariable String name, Principal user) throws ActionRefused {
        return cutover.drain(name, user.getName());
    }

    /**
     * Sets every destination sequence from the source (plus margin increments), never moving one
     * back; 409 in plan mode or with a margin out of range.
     */
    @PostMapping("/sync-sequences")
    List<SequenceReport> syncSequences(@PathVariable String name, @RequestParam(defaultValue = "0") long margin,
            Principal user) throws ActionRefused {
        return cutover.syncSequences(name, user.getName(), margin);
    }

    /**
     * Makes the destination's large objects equal to the source's (contents, owners, rights): copies
     * what is new or changed, unlinks what the source no longer has; one report per database.
     */
    @PostMapping("/sync-large-objects")
    List<LargeObjectReport> syncLargeObjects(@PathVariable String name, Principal user) throws ActionRefused {
        return cutover.syncLargeObjects(name, user.getName());
    }

    /** Refreshes every materialized view on the destination (created empty by the schema copy). */
    @PostMapping("/refresh-matviews")
    List<RefreshReport> refreshMaterializedViews(@PathVariable String name, Principal user) throws ActionRefused {
        return cutover.refreshMaterializedViews(name, user.getName());
    }

    /**
     * Queues the verification of every database (rows and checksums per table, in key ranges,
     * on both sides); 202 with how many were queued; each database's verification shows its
     * progress and result.
     */
    @PostMapping("/verify")
    ResponseEntity<Map<String, Integer>> verify(@PathVariable String name, Principal user) throws ActionRefused {
        return ResponseEntity.accepted().body(Map.of("queued", cutover.verify(name, user.getName())));
    }

    /**
     * Turns the replication around after the switch: records the reversal of every database,
     * then the loop drops the forward subscriptions and the source subscribes to the destination.
     * 409 unless the reverse is allowed, the source frozen and drained, and every database verified
     * since the freeze (force=true skips the verification); the databases turned around otherwise.
     */
    @PostMapping("/reverse")
    Map<String, Integer> reverse(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force,
            Principal user) throws ActionRefused {
        return Map.of("reversed", cutover.reverse(name, user.getName(), force));
    }

    /**
     * Rolls a turned-around mapping back to the source: freezes the applications on the
     * destination and records the rollback; the loop drains back, sets the source's sequences,
     * verifies every table, unfreezes the source and removes the reverse direction (phase
     * ROLLED_BACK). 409 unless every database is SWITCHED and rollback-ready (force=true skips the
     * light).
     */
    @PostMapping("/rollback")
    Map<String, Integer> rollback(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force,
            Principal user) throws ActionRefused {
        return Map.of("rollingBack", cutover.rollback(name, user.getName(), force));
    }

    /** Restores what the rollback's freeze changed on the destination; 409 until every database is rolled back. */
    @PostMapping("/unfreeze-destination")
    Freeze.Unfrozen unfreezeDestination(@PathVariable String name, Principal user) throws ActionRefused {
        return cutover.unfreezeDestination(name, user.getName());
    }
}
