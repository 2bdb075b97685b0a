// Call lists: in a relay tree (tree_spec.h, mode "relay") each node's person phones their
// children, so the SMS that reaches a node with children names them. This file decides who is
// owed a list and writes its text in the relayer's language; it is pure. The store reads the
// people (store/call_list_store.h: names and phones, opened), fanout/ gives a relayer's alert
// delivery its own text, and the reply service answers LIST.
//
// Contract:
//  1. A relayer is a member Tocsin contacts as a node with children of a relay tree, or as the
//     backup standing in for such a node (the node is in `backup`). Their people are the
//     node's children, in calling order, less those who are not active (a member who texted
//     STOP, or is paused, is not phoned about alerts either; the store leaves them out). An
//     automated tree has no relayers: Tocsin messages each level itself.
//  2. A person reads "name phone", or the phone alone when the member has no name; people are
//     joined by the language's relay_separator and a space, inside relay_call ("Please call:
//     Amal +447700900111, Bo +447700900112").
//  3. A relayer's alert SMS is the alert text, a line break and relay_call naming all their
//     people when that fits in kCallListSegments SMS segments (message/segments.h: GSM-7 or
//     UCS-2, whichever the whole text needs); else the first n people for the largest n that
//     fits followed by relay_more ("and {count} more: reply LIST"). n is at least 1, even past
//     the bound: a relayer always knows whom to call first.
//  3b. A relayer reached by a call (their alert delivery's channel is voice) hears the alert, a
//     line break and relay_call naming their people by name only, never a number read aloud;
//     people without a name are counted by relay_more ("and 2 more: reply LIST"), whose LIST by
//     SMS gives the numbers. No segment bound (a call is not an SMS).
//  4. LIST is answered with relay_call naming every person, over as many SMS as needed, each
//     of at most kCallListSegments segments (and at least one person); relay_none when the
//     member has nobody to call.
//
// Thread safety: plain values and pure functions; a CallListTexts holds a const reference.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "dispatch/message/templates.h"
#include "dispatch/model/tree_walk.h"
#include "dispatch/util/result.h"

namespace tocsin {

// The segments a relayer's alert SMS, and each SMS of a LIST answer, should stay within.
inline constexpr int kCallListSegments = 2;

struct CallListPerson {
  std::string name;   // "" when the member has none
  std::string phone;  // E.164
};

struct CallListOwed {
  std::int64_t relayer = 0;
  std::vector<std::int64_t> people;  // member ids, in calling order
};

// The relayers (contract 1) among `contacted`, the members Tocsin contacts now in a walk of
// `nodes` (breadth-first, as AdvanceWalk left them), in the order of `contacted`. A member
// who is owed lists as a node and as a backup gets one list, their own children first.
std::vector<CallListOwed> CallListsOwed(const std::vector<WalkNode>& nodes, TreeMode mode,
                                        const std::vector<std::int64_t>& contacted);

// How many people a text names (contract 3): `total` when text_naming(total) fits in
// `max_segments` segments, else the largest n in 1..total-1 whose text_naming(n) fits (texts
// grow with n), else 1; 0 when `total` is 0.
std::size_t PeopleThatFit(std::size_t total, int max_segments,
                          const std::function<std::string(std::size_t shown)>& text_naming);

class CallListTexts {
 public:
  // Texts in `language`, else `fallback_language`, else English (TemplateSet::Render).
  CallListTexts(const TemplateSet& templates, std::string language, std::string fallback_language)
      : templates_(templates),
        language_(std::move(language)),
        fallback_(std::move(fallback_language)) {}

  // Contract 3. `alert_text` is the alert message in the relayer's language.
  Result<std::string> AlertText(std::string_view alert_text,
                                const std::vector<CallListPerson>& people) const;
  // Contract 3b.
  Result<std::string> VoiceAlertText(std::string_view alert_text, const std::vector<CallListPerson>& people) const;
  // Contract 4: one text per SMS.
  Result<std::vector<std::string>> ListTexts(const std::vector<CallListPerson>& people) const;

 private:
  // relay_call naming people[from, to), then relay_more for `more` people when more > 0.
  Result<std::string> Lines(const std::vector<CallListPerson>& people, std::size_t from,
                            std::size_t to, std::size_t more) const;
  Result<std::string> Render(std::string_view key,
                             const std::map<std::string, std::string>& vars) const;

  const TemplateSet& templates_;
  const std::string language_;
  const std::string fallback_;
};

}  // namespace tocsin
