package dev.sentinel.api;

import java.util.List;

/** The Cognito groups the API knows, and who may do what. */
public final class Groups {

    public static final String UPLOADER_APP = "uploader-app";
    public static final String REVIEWER = "reviewer";
    public static final String ADMIN = "admin";
    /** A notice-intake application (a public web form, a trusted flagger's or regulator's portal). */
    public static final String NOTIFIER = "notifier";

    public static final List<String> UPLOADERS = List.of(UPLOADER_APP, ADMIN);
    public static final List<String> REVIEWERS = List.of(REVIEWER, ADMIN);
    public static final List<String> NOTIFIERS = List.of(NOTIFIER, REVIEWER, ADMIN);

    private Groups() {
    }
}
