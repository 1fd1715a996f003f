package dev.pgferry.web;

import dev.pgferry.reconcile.ActionRefused;
import dev.pgferry.reconcile.UnknownMapping;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.RestControllerAdvice;

/** API errors as {"error": "..."} with a status that says what kind. */
@RestControllerAdvice(assignableTypes = {MappingApiController.class, CutoverApiController.class})
class ApiErrorHandler {

    @ExceptionHandler({UnknownMapping.class, UnknownDatabase.class})
    ResponseEntity<Map<String, String>> unknown(RuntimeException e) {
        return ResponseEntity.status(HttpStatus.NOT_FOUND).body(Map.of("error", e.getMessage()));
    }

    @ExceptionHandler(ActionRefused.class)
    ResponseEntity<Map<String, String>> refused(ActionRefused e) {
        return ResponseEntity.status(HttpStatus.CONFLICT).body(Map.of("error", e.getMessage()));
    }
}
