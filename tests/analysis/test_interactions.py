from dream_mosaic.analysis import analyze


def test_aggression_initiator_and_recipient(dreams: dict[str, str]) -> None:
    a = analyze(dreams["chase"])
    aggr = [i for i in a.interactions if i.kind == "aggression"]
    assert len(aggr) == 1
    assert (aggr[0].initiator, aggr[0].recipient, aggr[0].physical) == ("1MSA", "D", True)
    friendly = [i for i in a.interactions if i.kind == "friendliness"]
    assert [(f.initiator, f.recipient) for f in friendly] == [("1FMA", "D")]


def test_passive_swaps_roles_and_sexuality_is_its_own_kind(dreams: dict[str, str]) -> None:
    a = analyze("I was attacked by a dog. Later my husband kissed me.")
    kinds = {(i.kind, i.initiator, i.recipient) for i in a.interactions}
    assert ("aggression", "1ANI", "D") in kinds
    assert ("sexuality", "1MHA", "D") in kinds


def test_verbal_aggression_is_not_physical(dreams: dict[str, str]) -> None:
    a = analyze(dreams["other_angry"])
    yelled = [i for i in a.interactions if i.words[0].startswith("yelled")]
    assert yelled and not yelled[0].physical
    assert yelled[0].recipient == "D"


def test_covert_hostility_and_possessives() -> None:
    a = analyze("I was angry at my mother. I hugged her sister.")
    got = [(i.kind, i.initiator, i.recipient, i.physical) for i in a.interactions]
    assert got == [("aggression", "D", "1FMA", False), ("friendliness", "D", "1FTA", False)]
