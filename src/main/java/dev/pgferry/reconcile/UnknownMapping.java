package dev.pgferry.reconcile;

/** No mapping of that name is configured. */
public class UnknownMapping extends RuntimeException {

    public UnknownMapping(String name) {
        super("no mapping named " + name);
    }
}
