package dev.pgferry.reconcile;

/** An operator action could not be taken; the message says why and what to do. Nothing was changed. */
public class ActionRefused extends Exception {

    public ActionRefused(String message) {
        super(message);
    }
}
