package dev.pgferry.config;

/** A dashboard user: viewers read, operators also act. */
public record User(String name, Secret password, Role role) {

    public enum Role {
        VIEWER, OPERATOR
    }
}
