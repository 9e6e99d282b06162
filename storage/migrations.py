"""The database schema, as numbered migrations applied in order and recorded in the database."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("star_coach")


@migrations()
def m001_initial(db: Database) -> None:
    """Interviews, their answers, the answers' grades, and the user's own questions."""
    db["interviews"].create(
        {
            "id": str,
            "created_at": str,
            "level": str,
            "topics": str,  # JSON list; empty means every topic
            "question_type": str,
            "n_questions": int,
            "question_ids": str,  # JSON list, in the order they are asked
            "status": str,
            "finished_at": str,
        },
        pk="id",
        not_null={"created_at", "level", "question_type", "question_ids", "status"},
        if_not_exists=True,
    )
    db["answers"].create(
        {
            "id": int,
            "interview_id": str,
            "position": int,
            "question_id": str,
            # The question is copied so history survives a deleted custom question.
            "question_text": str,
            "question_type": str,
            "text": str,
            "skipped": int,
            "created_at": str,
            "grade_error": str,
        },
        pk="id",
        foreign_keys=[("interview_id", "interviews", "id")],
        not_null={"interview_id", "position", "question_id", "text", "created_at"},
        if_not_exists=True,
    )
    # One answer per position: a double-submitted form cannot record twice.
    db["answers"].create_index(["interview_id", "position"], unique=True, if_not_exists=True)
    db["answers"].create_index(["question_id"], if_not_exists=True)
    db["grades"].create(
        {
            "id": int,
            "answer_id": int,
            "created_at": str,
            "overall": int,
            "situation_score": int,
            "task_score": int,
            "action_score": int,
            "result_score": int,
            "components": str,  # JSON: the four parts with evidence and feedback
            "suggestions": str,  # JSON list
            "grader": str,
            "model": str,
            "fallback_reason": str,
            "prompt_version": str,
            "latency_ms": float,
        },
        pk="id",
        foreign_keys=[("answer_id", "answers", "id")],
        not_null={"answer_id", "created_at", "overall", "components", "grader"},
        if_not_exists=True,
    )
    db["grades"].create_index(["answer_id"], if_not_exists=True)
    db["custom_questions"].create(
        {
            "id": str,
            "created_at": str,
            "text": str,
            "type": str,
            "topics": str,
            "levels": str,
            "difficulty": int,
            "strong_answer_shows": str,
            "probes": str,
        },
        pk="id",
        not_null={"created_at", "text", "type", "topics", "levels"},
        if_not_exists=True,
    )


@migrations()
def m002_follow_ups(db: Database) -> None:
    """Follow-up questions on weak answers, the grader's suggested follow-up, and the setup switch."""
    if "follow_up" not in db["grades"].columns_dict:
        db["grades"].add_column("follow_up", str)
    if "follow_ups" not in db["interviews"].columns_dict:
        db["interviews"].add_column("follow_ups", int, not_null_default=1)
    db["follow_ups"].create(
        {
            "id": int,
            "answer_id": int,
            "created_at": str,
            "part": str,  # the STAR part it draws out
            "question": str,
            "source": str,  # llm, probe (the question's own) or rules (a template)
            "status": str,  # asked, answered, skipped
            "reply": str,
            # The answer's length before the reply was appended: the original is text[:offset].
            "answer_offset": int,
            "score_before": int,
            "score_after": int,
            "replied_at": str,
        },
        pk="id",
        foreign_keys=[("answer_id", "answers", "id")],
        not_null={"answer_id", "created_at", "part", "question", "source", "status"},
        if_not_exists=True,
    )
    # One follow-up per answer: a double click cannot ask twice.
    db["follow_ups"].create_index(["answer_id"], unique=True, if_not_exists=True)


@migrations()
def m003_answer_search(db: Database) -> None:
    """Full-text search over answers and their questions (FTS5, kept in sync by triggers)."""
    if "answers_fts" not in db.table_names():
        db["answers"].enable_fts(
            ["question_text", "text"], create_triggers=True, tokenize="porter unicode61 remove_diacritics 2"
        )
    db["answers"].create_index(["created_at"], if_not_exists=True)
    db["interviews"].create_index(["created_at"], if_not_exists=True)


@migrations()
def m004_grade_advice(db: Database) -> None:
    """Each grade's advice items with their codes (JSON), beside the suggestions shown."""
    if "advice" not in db["grades"].columns_dict:
        db["grades"].add_column("advice", str)


@migrations()
def m005_kinds_and_topics(db: Database) -> None:
    """What each session is (an interview, or a batch from the CLI, whose size is its answers, not its
    planned number of questions), and the topics of each answer's question as they were when it was answered
    (null until the domain fills them in from the bank)."""
    if "kind" not in db["interviews"].columns_dict:
        db["interviews"].add_column("kind", str, not_null_default="interview")
    mark_batches(db)
    if "topics" not in db["answers"].columns_dict:
        db["answers"].add_column("topics", str)
    # Finding the answers whose topics are not yet known stays quick when there are none.
    db.execute("create index if not exists answers_topics_unknown on answers (question_id) where topics is null")


def mark_batches(db: Database) -> None:
    """Sessions whose every answer is a "batch:" line were saved by `grade --save`: mark them batches
    (for databases and backups from before sessions had a kind)."""
    db.execute(
        """
        update interviews set kind = 'batch'
        where exists (select 1 from answers a where a.interview_id = interviews.id)
          and not exists (
            select 1 from answers a where a.interview_id = interviews.id and a.question_id not like 'batch:%'
          )
        """
    )


@migrations()
def m006_each_fact_once(db: Database) -> None:
    """Each fact stored once. A follow-up reply lives only with its follow-up (the answer keeps the text as
    given, and search indexes both); the scores before and after a reply are read from the grades (the
    follow-up points at the grade it was asked on); part scores live only in a grade's components."""
    if "answer_offset" in db["follow_ups"].columns_dict:
        db.execute(
            """
            update answers set text = substr(text, 1, (select f.answer_offset from follow_ups f
                                                       where f.answer_id = answers.id))
            where id in (select answer_id from follow_ups where status = 'answered' and answer_offset is not null)
            """
        )
    if "grade_id" not in db["follow_ups"].columns_dict:
        db["follow_ups"].add_column("grade_id", int)
        # The grade a follow-up was asked on was written with it, a moment before.
        db.execute(
            """
            update follow_ups set grade_id = coalesce(
                (select max(g.id) from grades g where g.answer_id = follow_ups.answer_id
                                                  and g.created_at <= follow_ups.created_at),
                (select min(g.id) from grades g where g.answer_id = follow_ups.answer_id))
            """
        )
    derived = {"answer_offset", "score_before", "score_after"} & set(db["follow_ups"].columns_dict)
    if derived:
        db["follow_ups"].transform(drop=derived)
    scores = {f"{p}_score" for p in ("situation", "task", "action", "result")} & set(db["grades"].columns_dict)
    if scores:
        db["grades"].transform(drop=scores)
    replace_search(db)


@migrations()
def m007_spoken_answers(db: Database) -> None:
    """Spoken answers: how each was said (delivery figures, JSON; null for a typed answer), its recording
    (kept on this machine, one row per answer, gone with the answer), and the candidate's preferences (whether
    recordings are kept at all)."""
    if "delivery" not in db["answers"].columns_dict:
        db["answers"].add_column("delivery", str)
    db.executescript(
        """
        create table if not exists recordings (
            answer_id integer primary key references answers(id) on delete cascade,
            created_at text not null,
            mime text not null,
            audio blob not null
        );
        create trigger if not exists recordings_go_with_their_answer after delete on answers begin
            delete from recordings where answer_id = old.id;
        end;
        create table if not exists preferences (name text primary key, value text not null);
        """
    )


@migrations()
def m008_unsent_recordings(db: Database) -> None:
    """A recording kept from the moment it is made until its answer is saved (or the candidate discards it),
    so a reload, a crash or a failed transcription never loses it: one per question of an interview."""
    db.executescript(
        """
        create table if not exists unsent_recordings (
            interview_id text not null references interviews(id) on delete cascade,
            position integer not null,
            created_at text not null,
            mime text not null,
            audio blob not null,
            primary key (interview_id, position)
        );
        create trigger if not exists unsent_recordings_go_with_their_interview after delete on interviews begin
            delete from unsent_recordings where interview_id = old.id;
        end;
        """
    )


@migrations()
def m009_model_answers(db: Database) -> None:
    """The user's own questions can carry a strong example answer, as the built-in ones do."""
    if "model_answer" not in db["custom_questions"].columns_dict:
        db["custom_questions"].add_column("model_answer", str)


@migrations()
def m010_story_bank(db: Database) -> None:
    """The candidate's stories (STAR parts, competencies and topics as JSON lists, and the answer a story was
    saved from, forgotten when that answer is deleted), and the interviews started to practise a story on a
    new question, whose answers count as the story's uses (gone with the interview or the story)."""
    db.executescript(
        """
        create table if not exists stories (
            id integer primary key,
            created_at text not null,
            updated_at text not null,
            title text not null,
            situation text not null default '',
            task text not null default '',
            action text not null default '',
            result text not null default '',
            competencies text not null default '[]',
            topics text not null default '[]',
            source_answer_id integer references answers(id) on delete set null
        );
        create table if not exists story_practice (
            interview_id text primary key references interviews(id) on delete cascade,
            story_id integer not null references stories(id) on delete cascade,
            created_at text not null
        );
        create index if not exists story_practice_story on story_practice (story_id);
        create trigger if not exists stories_forget_deleted_answers after delete on answers begin
            update stories set source_answer_id = null where source_answer_id = old.id;
        end;
        create trigger if not exists story_practice_goes_with_its_interview after delete on interviews begin
            delete from story_practice where interview_id = old.id;
        end;
        create trigger if not exists story_practice_goes_with_its_story after delete on stories begin
            delete from story_practice where story_id = old.id;
        end;
        """
    )


@migrations()
def m011_job_questions(db: Database) -> None:
    """The user's own questions can be marked with the job they were written for (a job description's)."""
    if "job" not in db["custom_questions"].columns_dict:
        db["custom_questions"].add_column("job", str)


SEARCH_TOKENIZER = "porter unicode61 remove_diacritics 2"


def replace_search(db: Database) -> None:
    """Full-text search over each answer with its question and its follow-up reply (FTS5 over a view, kept
    in step by triggers on both tables), in place of the index over answers alone."""
    if "answers_fts" in db.table_names():
        db["answers"].disable_fts()
    if "answer_search" in db.table_names():
        return
    db.executescript(
        f"""
        create view if not exists answer_texts as
            select a.id as id, a.question_text as question_text, a.text as text, coalesce(f.reply, '') as reply
            from answers a left join follow_ups f on f.answer_id = a.id;
        create virtual table answer_search using fts5(
            question_text, text, reply, content='answer_texts', content_rowid='id', tokenize='{SEARCH_TOKENIZER}'
        );
        {_SEARCH_TRIGGERS}
        insert into answer_search(answer_search) values ('rebuild');
        """
    )


def _reply_of(answer_id: str) -> str:
    return f"coalesce((select reply from follow_ups where answer_id = {answer_id}), '')"


def _index(answer: str, reply: str) -> str:
    return (
        "insert into answer_search(rowid, question_text, text, reply) "
        f"values ({answer}.id, {answer}.question_text, {answer}.text, {reply});"
    )


def _unindex(answer: str, reply: str) -> str:
    # An external-content index forgets a row only when told the exact values it indexed.
    return (
        "insert into answer_search(answer_search, rowid, question_text, text, reply) "
        f"values ('delete', {answer}.id, {answer}.question_text, {answer}.text, {reply});"
    )


_SEARCH_TRIGGERS = f"""
create trigger answer_search_insert after insert on answers begin
    {_index("new", "''")}
end;
create trigger answer_search_delete after delete on answers begin
    {_unindex("old", _reply_of("old.id"))}
end;
create trigger answer_search_update after update of question_text, text on answers begin
    {_unindex("old", _reply_of("old.id"))}
    {_index("new", _reply_of("new.id"))}
end;
create trigger reply_search_insert after insert on follow_ups when coalesce(new.reply, '') != '' begin
    insert into answer_search(answer_search, rowid, question_text, text, reply)
        select 'delete', id, question_text, text, '' from answers where id = new.answer_id;
    insert into answer_search(rowid, question_text, text, reply)
        select id, question_text, text, new.reply from answers where id = new.answer_id;
end;
create trigger reply_search_update after update of reply on follow_ups begin
    insert into answer_search(answer_search, rowid, question_text, text, reply)
        select 'delete', id, question_text, text, coalesce(old.reply, '') from answers where id = old.answer_id;
    insert into answer_search(rowid, question_text, text, reply)
        select id, question_text, text, coalesce(new.reply, '') from answers where id = new.answer_id;
end;
create trigger reply_search_delete after delete on follow_ups when coalesce(old.reply, '') != '' begin
    insert into answer_search(answer_search, rowid, question_text, text, reply)
        select 'delete', id, question_text, text, old.reply from answers where id = old.answer_id;
    insert into answer_search(rowid, question_text, text, reply)
        select id, question_text, text, '' from answers where id = old.answer_id;
end;
"""
