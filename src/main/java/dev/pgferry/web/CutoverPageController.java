package dev.pgferry.web;

import static dev.pgferry.web.MappingPageController.act;

import dev.pgferry.cutover.CutoverChecklists;
import dev.pgferry.cutover.CutoverView;
import dev.pgferry.operator.CutoverActions;
import dev.pgferry.operator.OperatorActions;
import dev.pgferry.reconcile.UnknownMapping;
import dev.pgferry.web.MappingPageController.Outcome;
import io.github.wimdeblauwe.htmx.spring.boot.mvc.HxRequest;
import jakarta.servlet.http.HttpServletResponse;
import java.security.Principal;
import java.util.List;
import org.springframework.stereotype.Controller;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.servlet.mvc.support.RedirectAttributes;

/** A mapping's cutover page: the checklist with this mapping's commands, each step's state, and its actions. */
@Controller
class CutoverPageController {

    private final CutoverActions cutover;
    private final OperatorActions actions;
    private final CutoverChecklists checklists;

    CutoverPageController(CutoverActions cutover, OperatorActions actions, CutoverChecklists checklists) {
        this.cutover = cutover;
        this.actions = actions;
        this.checklists = checklists;
    }

    @GetMapping("/mappings/{name}/cutover")
    String page(@PathVariable String name, Model model) {
        model.addAttribute("cutover", checklists.of(name).orElseThrow(() -> new UnknownMapping(name)));
        return "cutover";
    }

    @HxRequest
    @GetMapping("/mappings/{name}/cutover")
    String steps(@PathVariable String name, Model model, HttpServletResponse response) {
        page(name, model);
        CutoverView view = (CutoverView) model.getAttribute("cutover");
        if ("COMPLETE".equals(view.phase()) && !view.freeze().frozen()) {
            response.setStatus(MappingPageController.HTMX_STOP_POLLING);
        }
        return "cutover :: steps";
    }

    @PostMapping("/mappings/{name}/freeze")
    String freeze(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force, Principal user,
            RedirectAttributes redirect) {
        return act(name, "freeze", redirect, () -> {
            var frozen = cutover.freeze(name, user.getName(), force);
            return Outcome.of(frozen.sessionsError() == null, "Frozen: " + frozen.plan().roles().size()
                    + " role(s) set NOLOGIN, " + frozen.plan().databases().size() + " database(s) read-only by "
                    + "default, " + frozen.sessionsEnded() + " session(s) ended"
                    + (frozen.sessionsError() == null ? "." : "; " + frozen.sessionsError() + "."));
        }, page(name));
    }

    @PostMapping("/mappings/{name}/unfreeze")
    String unfreeze(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "unfreeze", redirect, () -> {
            var unfrozen = cutover.unfreeze(name, user.getName());
            return Outcome.done("Unfrozen: " + unfrozen.restored().size() + " setting(s) restored"
                    + (unfrozen.gone().isEmpty() ? "." : "; " + unfrozen.gone().size() + " role(s) or database(s) "
                            + "were dropped meanwhile."));
        }, page(name));
    }

    @PostMapping("/mappings/{name}/drain")
    String drain(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "drain", redirect, () -> Outcome.done("Freeze point recorded for "
                + cutover.drain(name, user.getName()).size() + " database(s); each shows \"drained\" once the "
                + "destination has everything written before it."), page(name));
    }

    @PostMapping("/mappings/{name}/sync-sequences")
    String syncSequences(@PathVariable String name, @RequestParam(defaultValue = "0") long margin, Principal user,
            RedirectAttributes redirect) {
        return act(name, "sync-sequences", redirect, () -> {
            var reports = cutover.syncSequences(name, user.getName(), margin);
            long changed = reports.stream().mapToLong(r -> r.changed()).sum();
            List<String> failed = reports.stream().filter(r -> r.error() != null)
                    .map(r -> r.database() + " (" + r.error() + ")").toList();
            return Outcome.of(failed.isEmpty(), "Sequences: " + changed + " set from the source"
                    + (margin > 0 ? " plus " + margin + " increments" : "")
                    + (failed.isEmpty() ? "" : "; failed: " + String.join(", ", failed))
                    + ". Each database's page shows the values before and after.");
        }, page(name));
    }

    @PostMapping("/mappings/{name}/sync-large-objects")
    String syncLargeObjects(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "sync-large-objects", redirect, () -> {
            var reports = cutover.syncLargeObjects(name, user.getName());
            long copied = reports.stream().filter(r -> r.error() == null).mapToLong(r -> r.outcome().copied()).sum();
            List<String> failed = reports.stream().filter(r -> r.error() != null)
                    .map(r -> r.database() + " (" + r.error() + ")").toList();
            return Outcome.of(failed.isEmpty(), "Large objects: " + copied + " copied from the source"
                    + (failed.isEmpty() ? "" : "; failed: " + String.join(", ", failed))
                    + ". Each database's page says what changed.");
        }, page(name));
    }

    @PostMapping("/mappings/{name}/refresh-matviews")
    String refreshMaterializedViews(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "refresh-matviews", redirect, () -> {
            var reports = cutover.refreshMaterializedViews(name, user.getName());
            long refreshed = reports.stream().mapToLong(r -> r.views().size() - r.failed()).sum();
            List<String> failed = reports.stream().filter(r -> r.error() != null || r.failed() > 0)
                    .map(r -> r.database()).toList();
            return Outcome.of(failed.isEmpty(), "Materialized views: " + refreshed + " refreshed"
                    + (failed.isEmpty() ? "" : "; failures in " + String.join(", ", failed))
                    + ". Each database's page lists them.");
        }, page(name));
    }

    @PostMapping("/mappings/{name}/verify")
    String verify(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "verify", redirect, () -> Outcome.done("Verification of " + cutover.verify(name,
                user.getName()) + " database(s) queued; the checklist and each database's page show its progress."),
                page(name));
    }

    @PostMapping("/mappings/{name}/reverse")
    String reverse(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force, Principal user,
            RedirectAttributes redirect) {
        return act(name, "reverse", redirect, () -> Outcome.done("Turning " + cutover.reverse(name, user.getName(),
                force) + " database(s) around: the forward subscriptions go and the source subscribes to the "
                + "destination; each database shows SWITCHED once the destination's changes flow back."), page(name));
    }

    @PostMapping("/mappings/{name}/rollback")
    String rollback(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force, Principal user,
            RedirectAttributes redirect) {
        return act(name, "rollback", redirect, () -> Outcome.done("Rolling " + cutover.rollback(name, user.getName(),
                force) + " database(s) back: the applications are frozen on the destination; each database shows "
                + "ROLLED_BACK once the source has everything, verified, and is unfrozen."), page(name));
    }

    @PostMapping("/mappings/{name}/unfreeze-destination")
    String unfreezeDestination(@PathVariable String name, Principal user, RedirectAttributes redirect) {
        return act(name, "unfreeze-destination", redirect, () -> Outcome.done("Destination unfrozen: "
                + cutover.unfreezeDestination(name, user.getName()).restored().size() + " setting(s) restored."),
                page(name));
    }

    @PostMapping("/mappings/{name}/complete")
    String complete(@PathVariable String name, @RequestParam(defaultValue = "false") boolean force, Principal user,
            RedirectAttributes redirect) {
        return act(name, "complete", redirect, () -> {
            actions.complete(name, user.getName(), force);
            return Outcome.done("Mapping " + name + " marked complete; its subscription, slot and publication are "
                    + "being removed.");
        }, page(name));
    }

    private static String page(String mapping) {
        return "/mappings/" + mapping + "/cutover";
    }
}
