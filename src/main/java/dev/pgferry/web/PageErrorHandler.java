package dev.pgferry.web;

import dev.pgferry.reconcile.UnknownMapping;
import org.springframework.http.HttpStatus;
import org.springframework.ui.Model;
import org.springframework.web.bind.annotation.ControllerAdvice;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.ResponseStatus;

/** A page for an unknown mapping or database instead of a stack trace. */
@ControllerAdvice(assignableTypes = {MappingPageController.class, DashboardController.class,
        DatabasePageController.class, CutoverPageController.class, PreparationController.class})
class PageErrorHandler {

    @ExceptionHandler({UnknownMapping.class, UnknownDatabase.class})
    @ResponseStatus(HttpStatus.NOT_FOUND)
    String unknown(RuntimeException e, Model model) {
        model.addAttribute("message", e.getMessage());
        return "problem";
    }
}
