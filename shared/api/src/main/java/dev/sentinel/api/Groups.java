package dev.sentinel.api;

import java.util.List;

/** The Cognito groups the API knows, and who may do what. */
public final class Groups {

    public static final String UPLOADER_APP = "uploader-app";
    public static final String REVIEWER = "reviewer";
    public static final String ADMIN = "admin";
    /** A notice-intake application (a public web form, a trusted flagger's or regulator's portal). */
    public static final String NOTIFIER = "notifier";
    /** Trust-and-safety staff who enrol protected people after verifying their identity outside this system. */
    public static final String LIKENESS_REGISTRAR = "likeness-registrar";
    /** A protected person using their own token: enrols themselves and manages their own registration only. */
    public static final String PROTECTED_PERSON = "protected-person";

    public static final List<String> UPLOADERS = List.of(UPLOADER_APP, ADMIN);
    public static final List<String> REVIEWERS = List.of(REVIEWER, ADMIN);
    public static final List<String> NOTIFIERS = List.of(NOTIFIER, REVIEWER, ADMIN);
    /** Who may enrol and manage registrations; admins are not among them (biometric data needs the narrow group). */
    public static final List<String> LIKENESS_ENROLLERS = List.of(LIKENESS_REGISTRAR, PROTECTED_PERSON);

    private Groups() {
    }
}
