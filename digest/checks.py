"""`digest check`: read every article and template as a build would; write nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import jinja2

from digest.config import Config
from digest.enrich.related import related_links
from digest.errors import Problem
from digest.incremental.fingerprints import UnusableFolder, files_digest
from digest.sources.articles import collect_articles
from digest.sources.many import open_sources
from digest.templates import environment, template_position


@dataclass(frozen=True)
class CheckResult:
    """What `check` found: problems fail the check, warnings do not (unless strict)."""

    files_read: int
    templates_read: int
    article_problems: tuple[Problem, ...]
    template_problems: tuple[Problem, ...]
    warnings: tuple[Problem, ...]


def check(config: Config, *, progress: Callable[[int, int], None] | None = None) -> CheckResult:
    """Validate every article, the editors' related slugs and every template; write nothing."""
    sources = open_sources(config, write=False)
    collection = collect_articles(sources, config=config, progress=progress)
    published = [article for article in collection.articles if not article.draft]
    drafts = {article.slug for article in collection.articles if article.draft}
    _, related_warnings = related_links(published, published, limit=0, unpublished=drafts)
    templates, template_problems = check_templates(config)
    return CheckResult(
        files_read=collection.files_read,
        templates_read=templates,
        article_problems=collection.problems,
        template_problems=tuple(template_problems),
        warnings=(*sources.errors, *sources.warnings, *collection.warnings, *related_warnings),
    )


def check_templates(config: Config) -> tuple[int, list[Problem]]:
    """Compile every template the build would use (a user's folder hides ours by name).

    Returns how many templates there are and a problem for each that does not compile.
    """
    if config.templates is not None and not config.templates.is_dir():
        return 0, [Problem(config.templates, 1, "no such template folder; check build.templates")]
    try:
        files_digest([config.templates] if config.templates else [])
    except UnusableFolder as error:
        message = f"not a folder of templates: {error}; check build.templates"
        return 0, [Problem(config.templates or Path(), 1, message)]
    env = environment(config.templates)
    names = env.list_templates()
    problems = []
    for name in names:
        try:
            env.get_template(name)
        except jinja2.TemplateSyntaxError as error:
            path, line = template_position(error, name)
            problems.append(Problem(Path(path), line, f"template error: {error.message}"))
        except UnicodeDecodeError:
            problems.append(Problem(Path(name), 1, "template is not UTF-8 text"))
    return len(names), problems
