package dev.pgferry.schema;

import static dev.pgferry.pg.Identifiers.literal;
import static dev.pgferry.pg.Identifiers.quote;

import dev.pgferry.monitor.ServerFacts.RoleInfo;

/** Pure builders of role statements, tested against exact strings. */
final class RoleSql {

    private RoleSql() {
    }

    /**
     * CREATE ROLE with the source role's attributes. SUPERUSER, REPLICATION and BYPASSRLS only
     * when the destination user may grant them (a superuser); managed services refuse them.
     * {@code passwordHash} is the source's stored SCRAM or MD5 verifier, or null.
     */
    static String createRole(RoleInfo role, String passwordHash, boolean privilegedAllowed) {
        StringBuilder sql = new StringBuilder("CREATE ROLE ").append(quote(role.name())).append(" WITH");
        sql.append(role.login() ? " LOGIN" : " NOLOGIN");
        sql.append(role.inherit() ? " INHERIT" : " NOINHERIT");
        sql.append(role.createdb() ? " CREATEDB" : " NOCREATEDB");
        sql.append(role.createrole() ? " CREATEROLE" : " NOCREATEROLE");
        if (privilegedAllowed) {
            sql.append(role.superuser() ? " SUPERUSER" : " NOSUPERUSER");
            sql.append(role.replication() ? " REPLICATION" : " NOREPLICATION");
            sql.append(role.bypassrls() ? " BYPASSRLS" : " NOBYPASSRLS");
        }
        sql.append(" CONNECTION LIMIT ").append(role.connectionLimit());
        if (role.validUntil() != null) {
            // an account meant to expire must expire on the destination too
            sql.append(" VALID UNTIL ").append(literal(role.validUntil()));
        }
        if (passwordHash != null) {
            sql.append(" PASSWORD ").append(literal(passwordHash));
        }
        return sql.toString();
    }

    /** ALTER ROLE ... SET from a stored "name=value". */
    static String setting(String role, String stored) {
        return "ALTER ROLE " + quote(role) + " SET " + GucValue.assignment(stored);
    }

    static String grantMembership(String role, String member) {
        return "GRANT " + quote(role) + " TO " + quote(member);
    }
}
