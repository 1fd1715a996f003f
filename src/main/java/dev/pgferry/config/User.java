package dev.pgferry.config;

/**
 * A dashboard user: viewers read, operators also act. The password is either a secret (from
 * PGFERRY_USERS_*, hashed at start-up) or already a hash from PGFERRY_USER_FILE
 * ({@code encodedPassword} in Spring Security's "{id}hash" form).
 */
public record User(String name, Secret password, String encodedPassword, Role role) {

    public enum Role {
        VIEWER, OPERATOR
    }

    public User(String name, Secret password, Role role) {
        this(name, password, null, role);
    }

    @Override
    public String toString() {
        return "User[name=" + name + ", role=" + role + "]";
    }
}
