# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later
"""Bad module options in one real ``ansible-playbook`` run: each must fail with one line before any request.

One task per case (each ``ignore_errors``, registered), then every result saved
in order to ``result.json``: one run for all the cases, as each start of
``ansible-playbook`` costs 1-2 s (tests/functional/test_*_playbook.py).
"""

import json


def bad_options_playbook(module, base, bad_options, play_vars=None):
    """The playbook: a task of ``module`` per entry of ``bad_options`` (``base`` updated with it), then the save.

    Values are written as JSON (YAML) as they are; a value that is a Jinja
    template (of ``play_vars``, say) reaches the module templated.
    """
    tasks = []
    for index, options in enumerate(bad_options):
        lines = "\n".join(f"            {key}: {json.dumps(value)}" for key, value in dict(base, **options).items())
        tasks.append(f"""
        - name: Bad options {index}
          {module}:
{lines}
          register: bad_{index}
          ignore_errors: true""")
    saved = ", ".join(f"bad_{index}" for index in range(len(bad_options)))
    play_vars = "".join(f"\n        {key}: {json.dumps(value)}" for key, value in (play_vars or {}).items())
    vars_block = f"\n      vars:{play_vars}" if play_vars else ""
    return f"""
    - hosts: localhost
      gather_facts: false{vars_block}
      tasks:{"".join(tasks)}
        - name: Save the results for the test
          ansible.builtin.copy:
            content: "{{{{ [{saved}] | to_json }}}}"
            dest: "{{{{ playbook_dir }}}}/result.json"
            mode: "0600"
    """


def assert_bad_options_fail(ansible, module, base, cases, *, servers, max_length, prefix="", play_vars=None):
    """Run ``bad_options_playbook`` once (``ansible``: the functional tests' runner) and check every result.

    ``cases`` is a list of ``(bad options, expected fragment)``. Each task must
    have failed with a message that starts with ``prefix``, holds its fragment,
    is one line shorter than ``max_length`` and comes without a traceback; the
    run's output holds no traceback and none of ``servers`` (simulators) got a
    request. Returns the results, in the order of ``cases``.
    """
    run = ansible.run(bad_options_playbook(module, base, [options for options, _expected in cases], play_vars), check=True)
    results = json.loads((ansible.tmp_path / "result.json").read_text())
    for (options, expected), result in zip(cases, results, strict=True):
        assert result["failed"] is True, options
        message = result["msg"]
        assert message.startswith(prefix), (options, message)
        assert expected in message, (options, message)
        assert "\n" not in message and len(message) < max_length, (options, message)
        assert "Traceback" not in result.get("exception", ""), (options, result["exception"])
    assert "Traceback" not in run.output
    for server in servers:
        assert server.counts()["total"] == 0, (server, server.counts())
    return results
