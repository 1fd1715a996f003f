package dev.pgferry.replication;

/**
 * Whether the destination server can open the connection its subscriptions will use to the
 * source, as the last probe found ({@link ReachabilityProbe}). {@code detail}: the server's
 * message when it could not, or why the probe could not tell.
 */
public record SourceReach(State state, String address, String detail) {

    public enum State {
        /** Not probed: either side unreachable for pgferry, or the probe itself could not run. */
        UNKNOWN,
        /** The source answered and asked for a password. */
        REACHED,
        /** The destination server could not connect to the source at that address. */
        UNREACHABLE,
        /** The source let the destination in without asking for a password: a non-superuser's subscription fails. */
        NO_PASSWORD_ASKED
    }

    public static SourceReach unknown(String why) {
        return new SourceReach(State.UNKNOWN, null, why);
    }
}
