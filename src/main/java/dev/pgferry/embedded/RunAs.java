package dev.pgferry.embedded;

import com.sun.security.auth.module.UnixSystem;

/** Who runs the embedded servers: the JVM's user, or an unprivileged one when that is root. */
final class RunAs {

    static final String OS_USER_PROPERTY = "pgferry.embedded.os-user";

    private RunAs() {
    }

    static boolean isRoot() {
        return new UnixSystem().getUid() == 0;
    }

    static String serverUser() {
        return System.getProperty(OS_USER_PROPERTY, "postgres");
    }
}
