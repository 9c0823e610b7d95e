# Copyright (c) 2026 csoft.sms contributors
# GNU General Public License v3.0+ (see LICENSES/GPL-3.0-or-later.txt or https://www.gnu.org/licenses/gpl-3.0.txt)
# SPDX-License-Identifier: GPL-3.0-or-later


class ModuleDocFragment:
    # The attributes every csoft.sms module shares, written once: no diff mode, and membership of the action group
    # csoft.sms.account (meta/runtime.yml), so that module_defaults of group/csoft.sms.account reach it.
    # List it before ansible.builtin.action_common_attributes: Ansible merges attribute fragments and the first listed
    # wins on a key both give, so these values are kept and the descriptions come from ansible.builtin.
    DOCUMENTATION = r"""
attributes:
  diff_mode:
    support: none
  action_group:
    support: full
    membership:
      - csoft.sms.account
"""
