package dev.pgferry.config;

import java.util.List;

/** A validated source -> destination mapping; an empty database list means every non-template database. */
public record Mapping(String name, Instance source, Instance destination, List<String> databases, Mode mode,
        CopyMethod copyMethod) {

    public Mapping {
        databases = List.copyOf(databases);
    }
}
