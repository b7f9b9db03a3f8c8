package dev.sentinel.store;

import java.util.Optional;

public interface NoticeStore {

    void create(Notice notice);

    Optional<Notice> findNotice(String noticeId);
}
